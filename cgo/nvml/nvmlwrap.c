//go:build cgo

// nvmlwrap.c: see nvmlwrap.h. Signatures and values are NVML's (nvml.h).
#include "nvmlwrap.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

// nvmlMemory_t.
typedef struct {
	unsigned long long total, free, used;
} nvml_memory;

static struct {
	const char *(*ErrorString)(int);
	int (*Init)(void);
	int (*Shutdown)(void);
	int (*SystemGetDriverVersion)(char *, unsigned int);
	int (*SystemGetCudaDriverVersion)(int *);
	int (*DeviceGetCount)(unsigned int *);
	int (*DeviceGetHandleByIndex)(unsigned int, void **);
	int (*DeviceGetName)(void *, char *, unsigned int);
	int (*DeviceGetUUID)(void *, char *, unsigned int);
	int (*DeviceGetMemoryInfo)(void *, nvml_memory *);
	int (*DeviceGetCudaComputeCapability)(void *, int *, int *);
} fn;

// resolve looks up the first of names that the library has.
static void *resolve(void *h, const char *a, const char *b) {
	void *p = dlsym(h, a);
	if (p == NULL && b != NULL) {
		p = dlsym(h, b);
	}
	return p;
}

#define RESOLVE(field, a, b)                                                      \
	do {                                                                      \
		*(void **)(&fn.field) = resolve(h, a, b);                         \
		if (fn.field == NULL) {                                           \
			snprintf(err, errlen, "%s has no symbol %s", path, a);    \
			dlclose(h);                                               \
			memset(&fn, 0, sizeof fn);                                \
			return 2;                                                 \
		}                                                                 \
	} while (0)

int trtc_nvml_load(const char *path, char *err, size_t errlen) {
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(err, errlen, "%s", e ? e : "dlopen failed");
		return 1;
	}
	RESOLVE(ErrorString, "nvmlErrorString", NULL);
	RESOLVE(Init, "nvmlInit_v2", "nvmlInit");
	RESOLVE(Shutdown, "nvmlShutdown", NULL);
	RESOLVE(SystemGetDriverVersion, "nvmlSystemGetDriverVersion", NULL);
	RESOLVE(SystemGetCudaDriverVersion, "nvmlSystemGetCudaDriverVersion_v2", "nvmlSystemGetCudaDriverVersion");
	RESOLVE(DeviceGetCount, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount");
	RESOLVE(DeviceGetHandleByIndex, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex");
	RESOLVE(DeviceGetName, "nvmlDeviceGetName", NULL);
	RESOLVE(DeviceGetUUID, "nvmlDeviceGetUUID", NULL);
	RESOLVE(DeviceGetMemoryInfo, "nvmlDeviceGetMemoryInfo", NULL);
	RESOLVE(DeviceGetCudaComputeCapability, "nvmlDeviceGetCudaComputeCapability", NULL);
	return 0;
}

const char *trtc_nvmlErrorString(int code) { return fn.ErrorString(code); }
int trtc_nvmlInit(void) { return fn.Init(); }
int trtc_nvmlShutdown(void) { return fn.Shutdown(); }
int trtc_nvmlSystemGetDriverVersion(char *buf, unsigned int n) { return fn.SystemGetDriverVersion(buf, n); }
int trtc_nvmlSystemGetCudaDriverVersion(int *v) { return fn.SystemGetCudaDriverVersion(v); }
int trtc_nvmlDeviceGetCount(unsigned int *n) { return fn.DeviceGetCount(n); }
int trtc_nvmlDeviceGetHandleByIndex(unsigned int i, uintptr_t *dev) {
	void *d = NULL;
	int rc = fn.DeviceGetHandleByIndex(i, &d);
	*dev = (uintptr_t)d;
	return rc;
}
int trtc_nvmlDeviceGetName(uintptr_t dev, char *buf, unsigned int n) {
	return fn.DeviceGetName((void *)dev, buf, n);
}
int trtc_nvmlDeviceGetUUID(uintptr_t dev, char *buf, unsigned int n) {
	return fn.DeviceGetUUID((void *)dev, buf, n);
}
int trtc_nvmlDeviceGetMemoryInfo(uintptr_t dev, unsigned long long *total, unsigned long long *free_bytes) {
	nvml_memory m = {0, 0, 0};
	int rc = fn.DeviceGetMemoryInfo((void *)dev, &m);
	*total = m.total;
	*free_bytes = m.free;
	return rc;
}
int trtc_nvmlDeviceGetCudaComputeCapability(uintptr_t dev, int *major, int *minor) {
	return fn.DeviceGetCudaComputeCapability((void *)dev, major, minor);
}
