/**
 * The clinical flags `predict --image` accepts, named as the cohort.csv columns. Their own file so
 * that predict's option list needs none of the image-scoring code loaded.
 */
export const CLINICAL_FLAGS = ['age', 'sex', 'bmi', 'glucocorticoid', 'secondary_osteoporosis', 'rheumatoid_arthritis', 'prior_fracture'];
