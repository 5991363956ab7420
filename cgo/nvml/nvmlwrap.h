// nvmlwrap.h: the few NVML entry points trtc uses, resolved at run time
// with dlopen/dlsym from libnvidia-ml (installed with the NVIDIA driver).
//
// Each wrapper returns the nvmlReturn_t value as an int (0 is success).
// Devices cross as uintptr_t handles. Buffers passed in are written during
// the call only.
#ifndef TRTC_NVMLWRAP_H
#define TRTC_NVMLWRAP_H

#include <stddef.h>
#include <stdint.h>

// trtc_nvml_load opens the library at path and resolves every symbol; on
// failure it returns nonzero and writes a message into err.
int trtc_nvml_load(const char *path, char *err, size_t errlen);

const char *trtc_nvmlErrorString(int code);
int trtc_nvmlInit(void);
int trtc_nvmlShutdown(void);
int trtc_nvmlSystemGetDriverVersion(char *buf, unsigned int n);
int trtc_nvmlSystemGetCudaDriverVersion(int *v);
int trtc_nvmlDeviceGetCount(unsigned int *n);
int trtc_nvmlDeviceGetHandleByIndex(unsigned int i, uintptr_t *dev);
int trtc_nvmlDeviceGetName(uintptr_t dev, char *buf, unsigned int n);
int trtc_nvmlDeviceGetUUID(uintptr_t dev, char *buf, unsigned int n);
int trtc_nvmlDeviceGetMemoryInfo(uintptr_t dev, unsigned long long *total, unsigned long long *free_bytes);
int trtc_nvmlDeviceGetCudaComputeCapability(uintptr_t dev, int *major, int *minor);

#endif
