// The parts of the codec packages' APIs this project uses; the packages ship no type declarations.

/** An Emscripten decoder object from @cornerstonejs/codec-charls, -openjpeg or -libjpeg-turbo-8bit. */
export interface EmscriptenFrameDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  delete(): void;
}

export interface CharlsModule {
  JpegLSDecoder: new () => EmscriptenFrameDecoder;
}

export interface OpenJpegModule {
  J2KDecoder: new () => EmscriptenFrameDecoder;
}

export interface LibJpegTurboModule {
  JPEGDecoder: new () => EmscriptenFrameDecoder;
}
