// Neural-network functionals: convolutions, normalisation, pooling, dropout, resampling
// (interpolate, affine_grid, grid_sample) and losses.
#include <ATen/ATen.h>

#include "errors.h"
#include "tensor_handle.h"

namespace spinesurv {
namespace {

int64_t ParseReduction(const Napi::Value& v) {
  std::string r = IsAbsent(v) ? "mean" : String(v, "reduction");
  if (r == "mean") return at::Reduction::Mean;
  if (r == "sum") return at::Reduction::Sum;
  if (r == "none") return at::Reduction::None;
  ThrowType(v.Env(), "reduction must be 'mean', 'sum' or 'none', got '" + r + "'");
}

// linear(x, weight, bias|null): x W^T + b, as torch.nn.functional.linear (one addmm for 2-d input).
Napi::Value Linear(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::linear(UnwrapTensor(info[0]), UnwrapTensor(info[1]), OptionalTensor(info[2])));
}

// conv2d(x, weight, bias|null, stride[2], padding[2], dilation[2], groups)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::conv2d(UnwrapTensor(info[0]), UnwrapTensor(info[1]), OptionalTensor(info[2]),
                                           IntList(info[3], "stride"), IntList(info[4], "padding"),
                                           IntList(info[5], "dilation"), IntInRange(info[6], "groups", 1, kMaxInt32)));
}

// convTranspose2d(x, weight, bias|null, stride, padding, outputPadding, groups, dilation)
Napi::Value ConvTranspose2d(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::conv_transpose2d(UnwrapTensor(info[0]), UnwrapTensor(info[1]), OptionalTensor(info[2]),
                                                     IntList(info[3], "stride"), IntList(info[4], "padding"),
                                                     IntList(info[5], "outputPadding"), IntInRange(info[6], "groups", 1, kMaxInt32),
                                                     IntList(info[7], "dilation")));
}

// batchNorm(x, runningMean|null, runningVar|null, weight|null, bias|null, training, momentum, eps)
// Running statistics are updated in place when training, as torch.nn.functional.batch_norm does.
Napi::Value BatchNorm(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::batch_norm(UnwrapTensor(info[0]), OptionalTensor(info[3]), OptionalTensor(info[4]),
                                               OptionalTensor(info[1]), OptionalTensor(info[2]), Bool(info[5], "training"),
                                               FiniteDouble(info[6], "momentum"), FiniteDouble(info[7], "eps"), true));
}

// layerNorm(x, normalizedShape, weight|null, bias|null, eps)
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::layer_norm(UnwrapTensor(info[0]), IntList(info[1], "normalizedShape"),
                                               OptionalTensor(info[2]), OptionalTensor(info[3]), FiniteDouble(info[4], "eps"), true));
}

// groupNorm(x, numGroups, weight|null, bias|null, eps)
Napi::Value GroupNorm(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::group_norm(UnwrapTensor(info[0]), Int(info[1], "numGroups"), OptionalTensor(info[2]),
                                               OptionalTensor(info[3]), FiniteDouble(info[4], "eps"), true));
}

// maxPool2d(x, kernel, stride, padding, dilation, ceilMode)
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::max_pool2d(UnwrapTensor(info[0]), IntList(info[1], "kernelSize"), IntList(info[2], "stride"),
                                               IntList(info[3], "padding"), IntList(info[4], "dilation"), Bool(info[5], "ceilMode")));
}

// avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad)
Napi::Value AvgPool2d(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::avg_pool2d(UnwrapTensor(info[0]), IntList(info[1], "kernelSize"), IntList(info[2], "stride"),
                                               IntList(info[3], "padding"), Bool(info[4], "ceilMode"), Bool(info[5], "countIncludePad")));
}

Napi::Value AdaptiveAvgPool2d(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::adaptive_avg_pool2d(UnwrapTensor(info[0]), IntList(info[1], "outputSize")));
}

Napi::Value AdaptiveMaxPool2d(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), std::get<0>(at::adaptive_max_pool2d(UnwrapTensor(info[0]), IntList(info[1], "outputSize"))));
}

Napi::Value Dropout(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::dropout(UnwrapTensor(info[0]), FiniteDoubleInRange(info[1], "p", 0, 1), Bool(info[2], "training")));
}

// interpolate(x, size|null, scale[2]|null, mode, alignCorners): as torch.nn.functional.interpolate
// (with recompute_scale_factor unset: a given scale is passed to the kernel).
Napi::Value Interpolate(const Napi::CallbackInfo& info) {
  const at::Tensor& x = UnwrapTensor(info[0]);
  c10::optional<std::vector<int64_t>> size;
  c10::optional<std::vector<double>> scales;
  if (!IsAbsent(info[1])) size = IntList(info[1], "size");
  if (!IsAbsent(info[2])) scales = FiniteDoubleList(info[2], "scaleFactor");
  at::OptionalIntArrayRef out_size = size ? at::OptionalIntArrayRef(*size) : c10::nullopt;
  c10::optional<at::ArrayRef<double>> out_scales = scales ? c10::optional<at::ArrayRef<double>>(*scales) : c10::nullopt;
  std::string mode = String(info[3], "mode");
  bool align = !IsAbsent(info[4]) && Bool(info[4], "alignCorners");
  if (x.dim() != 4) ThrowType(info.Env(), "interpolate: expected a 4-d (N, C, H, W) tensor");
  if (mode == "bilinear") return WrapTensor(info.Env(), at::upsample_bilinear2d(x, out_size, align, out_scales));
  if (mode == "bicubic") return WrapTensor(info.Env(), at::upsample_bicubic2d(x, out_size, align, out_scales));
  if (mode == "nearest") return WrapTensor(info.Env(), at::upsample_nearest2d(x, out_size, out_scales));
  ThrowType(info.Env(), "interpolate: mode must be 'bilinear', 'bicubic' or 'nearest', got '" + mode + "'");
}

// affineGrid(theta (N,2,3), size [N,C,H,W], alignCorners)
Napi::Value AffineGrid(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::affine_grid_generator(UnwrapTensor(info[0]), IntList(info[1], "size"),
                                                          Bool(info[2], "alignCorners")));
}

// gridSample(x, grid, mode 'bilinear'|'nearest'|'bicubic', padding 'zeros'|'border'|'reflection', alignCorners)
Napi::Value GridSample(const Napi::CallbackInfo& info) {
  std::string mode = String(info[2], "mode"), padding = String(info[3], "paddingMode");
  int64_t m = mode == "bilinear" ? 0 : mode == "nearest" ? 1 : mode == "bicubic" ? 2 : -1;
  int64_t p = padding == "zeros" ? 0 : padding == "border" ? 1 : padding == "reflection" ? 2 : -1;
  if (m < 0) ThrowType(info.Env(), "gridSample: mode must be 'bilinear', 'nearest' or 'bicubic', got '" + mode + "'");
  if (p < 0) ThrowType(info.Env(), "gridSample: paddingMode must be 'zeros', 'border' or 'reflection', got '" + padding + "'");
  return WrapTensor(info.Env(), at::grid_sampler(UnwrapTensor(info[0]), UnwrapTensor(info[1]), m, p, Bool(info[4], "alignCorners")));
}

Napi::Value MseLoss(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::mse_loss(UnwrapTensor(info[0]), UnwrapTensor(info[1]), ParseReduction(info[2])));
}

Napi::Value L1Loss(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::l1_loss(UnwrapTensor(info[0]), UnwrapTensor(info[1]), ParseReduction(info[2])));
}

Napi::Value SmoothL1Loss(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::smooth_l1_loss(UnwrapTensor(info[0]), UnwrapTensor(info[1]), ParseReduction(info[2]),
                                                   FiniteDouble(info[3], "beta")));
}

// bceWithLogits(logits, target, weight|null, posWeight|null, reduction)
Napi::Value BceWithLogits(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::binary_cross_entropy_with_logits(UnwrapTensor(info[0]), UnwrapTensor(info[1]),
                                                                     OptionalTensor(info[2]), OptionalTensor(info[3]),
                                                                     ParseReduction(info[4])));
}

// binaryCrossEntropy(probabilities, target, weight|null, reduction)
Napi::Value BinaryCrossEntropy(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::binary_cross_entropy(UnwrapTensor(info[0]), UnwrapTensor(info[1]),
                                                         OptionalTensor(info[2]), ParseReduction(info[3])));
}

// crossEntropy(logits, target (class indices or probabilities), weight|null, reduction, ignoreIndex, labelSmoothing)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::cross_entropy_loss(UnwrapTensor(info[0]), UnwrapTensor(info[1]), OptionalTensor(info[2]),
                                                       ParseReduction(info[3]), Int(info[4], "ignoreIndex"),
                                                       FiniteDoubleInRange(info[5], "labelSmoothing", 0, 1)));
}

// nllLoss(logProbabilities, target, weight|null, reduction, ignoreIndex)
Napi::Value NllLoss(const Napi::CallbackInfo& info) {
  return WrapTensor(info.Env(), at::nll_loss_nd(UnwrapTensor(info[0]), UnwrapTensor(info[1]), OptionalTensor(info[2]),
                                                ParseReduction(info[3]), Int(info[4], "ignoreIndex")));
}

}  // namespace

void RegisterNN(Napi::Env env, Napi::Object exports) {
  Export<Linear>(env, exports, "linear");
  Export<Conv2d>(env, exports, "conv2d");
  Export<ConvTranspose2d>(env, exports, "convTranspose2d");
  Export<BatchNorm>(env, exports, "batchNorm");
  Export<LayerNorm>(env, exports, "layerNorm");
  Export<GroupNorm>(env, exports, "groupNorm");
  Export<MaxPool2d>(env, exports, "maxPool2d");
  Export<AvgPool2d>(env, exports, "avgPool2d");
  Export<AdaptiveAvgPool2d>(env, exports, "adaptiveAvgPool2d");
  Export<AdaptiveMaxPool2d>(env, exports, "adaptiveMaxPool2d");
  Export<Dropout>(env, exports, "dropout");
  Export<Interpolate>(env, exports, "interpolate");
  Export<AffineGrid>(env, exports, "affineGrid");
  Export<GridSample>(env, exports, "gridSample");
  Export<MseLoss>(env, exports, "mseLoss");
  Export<L1Loss>(env, exports, "l1Loss");
  Export<SmoothL1Loss>(env, exports, "smoothL1Loss");
  Export<BceWithLogits>(env, exports, "bceWithLogits");
  Export<BinaryCrossEntropy>(env, exports, "binaryCrossEntropy");
  Export<CrossEntropy>(env, exports, "crossEntropy");
  Export<NllLoss>(env, exports, "nllLoss");
}

}  // namespace spinesurv
