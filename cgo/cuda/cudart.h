// cudart.h: a table of libcudart entry points resolved at run time with
// dlopen/dlsym, so trtc builds and runs on machines without CUDA.
//
// Every wrapper returns the cudaError_t value as an int (0 is success).
// Device pointers, streams and events cross as uintptr_t: they are opaque
// handles to Go and never Go pointers. Host pointers given to the copy
// wrappers are used only for the duration of the call (synchronous copies)
// or point to memory from trtc_cudaHostAlloc (asynchronous copies).
#ifndef TRTC_CUDART_H
#define TRTC_CUDART_H

#include <stddef.h>
#include <stdint.h>

// trtc_cuda_load opens the library at path and resolves every symbol.
// On failure it returns nonzero and writes a message into err.
int trtc_cuda_load(const char *path, char *err, size_t errlen);

const char *trtc_cudaGetErrorName(int code);
const char *trtc_cudaGetErrorString(int code);

int trtc_cudaRuntimeGetVersion(int *v);
int trtc_cudaDriverGetVersion(int *v);
int trtc_cudaGetDeviceCount(int *n);
int trtc_cudaSetDevice(int dev);
int trtc_cudaGetDevice(int *dev);
int trtc_cudaDeviceGetAttribute(int *value, int attr, int dev);
// trtc_cudaGetDeviceName copies the device's name (at most n-1 bytes).
int trtc_cudaGetDeviceName(int dev, char *name, size_t n);
int trtc_cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes);

int trtc_cudaMalloc(uintptr_t *p, size_t n);
int trtc_cudaFree(uintptr_t p);
int trtc_cudaHostAlloc(void **p, size_t n);
int trtc_cudaFreeHost(void *p);

// kind is cudaMemcpyKind: 1 host to device, 2 device to host, 3 device to device.
int trtc_cudaMemcpyHtoD(uintptr_t dst, const void *src, size_t n);
int trtc_cudaMemcpyDtoH(void *dst, uintptr_t src, size_t n);
int trtc_cudaMemcpyDtoD(uintptr_t dst, uintptr_t src, size_t n);
int trtc_cudaMemcpyHtoDAsync(uintptr_t dst, const void *src, size_t n, uintptr_t stream);
int trtc_cudaMemcpyDtoHAsync(void *dst, uintptr_t src, size_t n, uintptr_t stream);

int trtc_cudaStreamCreate(uintptr_t *s);
int trtc_cudaStreamDestroy(uintptr_t s);
int trtc_cudaStreamSynchronize(uintptr_t s);

int trtc_cudaEventCreate(uintptr_t *e);
int trtc_cudaEventDestroy(uintptr_t e);
int trtc_cudaEventRecord(uintptr_t e, uintptr_t s);
int trtc_cudaEventSynchronize(uintptr_t e);
int trtc_cudaEventElapsedTime(float *ms, uintptr_t start, uintptr_t end);

#endif
