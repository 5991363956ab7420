//go:build cgo

// cudart.c: see cudart.h.
#include "cudart.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// cudaMemcpyKind values (driver_types.h).
enum { kHtoD = 1, kDtoH = 2, kDtoD = 3 };

typedef const char *(*errstr_fn)(int);
typedef int (*intp_fn)(int *);
typedef int (*int_fn)(int);
typedef int (*attr_fn)(int *, int, int);
typedef int (*props_fn)(void *, int);
typedef int (*meminfo_fn)(size_t *, size_t *);
typedef int (*malloc_fn)(void **, size_t);
typedef int (*free_fn)(void *);
typedef int (*hostalloc_fn)(void **, size_t, unsigned int);
typedef int (*memcpy_fn)(void *, const void *, size_t, int);
typedef int (*memcpyasync_fn)(void *, const void *, size_t, int, void *);
typedef int (*create_fn)(void **);
typedef int (*handle_fn)(void *);
typedef int (*record_fn)(void *, void *);
typedef int (*elapsed_fn)(float *, void *, void *);

static struct {
	errstr_fn GetErrorName, GetErrorString;
	intp_fn RuntimeGetVersion, DriverGetVersion, GetDeviceCount, GetDevice;
	int_fn SetDevice;
	attr_fn DeviceGetAttribute;
	props_fn GetDeviceProperties; // optional: only the name is read
	meminfo_fn MemGetInfo;
	malloc_fn Malloc;
	free_fn Free, FreeHost;
	hostalloc_fn HostAlloc;
	memcpy_fn Memcpy;
	memcpyasync_fn MemcpyAsync;
	create_fn StreamCreate, EventCreate;
	handle_fn StreamDestroy, StreamSynchronize, EventDestroy, EventSynchronize;
	record_fn EventRecord;
	elapsed_fn EventElapsedTime;
} fn;

static void *handle;

#define RESOLVE(field, name)                                                  \
	do {                                                                  \
		*(void **)(&fn.field) = dlsym(h, name);                       \
		if (fn.field == NULL) {                                       \
			snprintf(err, errlen, "%s has no symbol %s", path, name); \
			dlclose(h);                                           \
			memset(&fn, 0, sizeof fn);                            \
			return 2;                                             \
		}                                                             \
	} while (0)

int trtc_cuda_load(const char *path, char *err, size_t errlen) {
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		const char *e = dlerror();
		snprintf(err, errlen, "%s", e ? e : "dlopen failed");
		return 1;
	}
	RESOLVE(GetErrorName, "cudaGetErrorName");
	RESOLVE(GetErrorString, "cudaGetErrorString");
	RESOLVE(RuntimeGetVersion, "cudaRuntimeGetVersion");
	RESOLVE(DriverGetVersion, "cudaDriverGetVersion");
	RESOLVE(GetDeviceCount, "cudaGetDeviceCount");
	RESOLVE(GetDevice, "cudaGetDevice");
	RESOLVE(SetDevice, "cudaSetDevice");
	RESOLVE(DeviceGetAttribute, "cudaDeviceGetAttribute");
	RESOLVE(MemGetInfo, "cudaMemGetInfo");
	RESOLVE(Malloc, "cudaMalloc");
	RESOLVE(Free, "cudaFree");
	RESOLVE(HostAlloc, "cudaHostAlloc");
	RESOLVE(FreeHost, "cudaFreeHost");
	RESOLVE(Memcpy, "cudaMemcpy");
	RESOLVE(MemcpyAsync, "cudaMemcpyAsync");
	RESOLVE(StreamCreate, "cudaStreamCreate");
	RESOLVE(StreamDestroy, "cudaStreamDestroy");
	RESOLVE(StreamSynchronize, "cudaStreamSynchronize");
	RESOLVE(EventCreate, "cudaEventCreate");
	RESOLVE(EventDestroy, "cudaEventDestroy");
	RESOLVE(EventRecord, "cudaEventRecord");
	RESOLVE(EventSynchronize, "cudaEventSynchronize");
	RESOLVE(EventElapsedTime, "cudaEventElapsedTime");
	// CUDA 12 renamed the entry point behind the cudaGetDeviceProperties
	// macro; either one fills a cudaDeviceProp whose first field is
	// char name[256] in every version.
	*(void **)(&fn.GetDeviceProperties) = dlsym(h, "cudaGetDeviceProperties_v2");
	if (fn.GetDeviceProperties == NULL) {
		*(void **)(&fn.GetDeviceProperties) = dlsym(h, "cudaGetDeviceProperties");
	}
	handle = h;
	return 0;
}

const char *trtc_cudaGetErrorName(int code) { return fn.GetErrorName(code); }
const char *trtc_cudaGetErrorString(int code) { return fn.GetErrorString(code); }

int trtc_cudaRuntimeGetVersion(int *v) { return fn.RuntimeGetVersion(v); }
int trtc_cudaDriverGetVersion(int *v) { return fn.DriverGetVersion(v); }
int trtc_cudaGetDeviceCount(int *n) { return fn.GetDeviceCount(n); }
int trtc_cudaSetDevice(int dev) { return fn.SetDevice(dev); }
int trtc_cudaGetDevice(int *dev) { return fn.GetDevice(dev); }
int trtc_cudaDeviceGetAttribute(int *value, int attr, int dev) {
	return fn.DeviceGetAttribute(value, attr, dev);
}

int trtc_cudaGetDeviceName(int dev, char *name, size_t n) {
	// cudaDeviceProp has grown with every release (about 1 KB in CUDA 12);
	// 16 KB leaves room for any future growth.
	enum { kPropsSize = 16384 };
	if (n == 0) {
		return 0;
	}
	name[0] = 0;
	if (fn.GetDeviceProperties == NULL) {
		return 0;
	}
	char *props = calloc(1, kPropsSize);
	if (props == NULL) {
		return 2; // cudaErrorMemoryAllocation
	}
	int rc = fn.GetDeviceProperties(props, dev);
	if (rc == 0) {
		size_t len = strnlen(props, 256);
		if (len > n - 1) {
			len = n - 1;
		}
		memcpy(name, props, len);
		name[len] = 0;
	}
	free(props);
	return rc;
}

int trtc_cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes) {
	return fn.MemGetInfo(free_bytes, total_bytes);
}

int trtc_cudaMalloc(uintptr_t *p, size_t n) {
	void *q = NULL;
	int rc = fn.Malloc(&q, n);
	*p = (uintptr_t)q;
	return rc;
}
int trtc_cudaFree(uintptr_t p) { return fn.Free((void *)p); }
int trtc_cudaHostAlloc(void **p, size_t n) { return fn.HostAlloc(p, n, 0); }
int trtc_cudaFreeHost(void *p) { return fn.FreeHost(p); }

int trtc_cudaMemcpyHtoD(uintptr_t dst, const void *src, size_t n) {
	return fn.Memcpy((void *)dst, src, n, kHtoD);
}
int trtc_cudaMemcpyDtoH(void *dst, uintptr_t src, size_t n) {
	return fn.Memcpy(dst, (const void *)src, n, kDtoH);
}
int trtc_cudaMemcpyDtoD(uintptr_t dst, uintptr_t src, size_t n) {
	return fn.Memcpy((void *)dst, (const void *)src, n, kDtoD);
}
int trtc_cudaMemcpyHtoDAsync(uintptr_t dst, const void *src, size_t n, uintptr_t stream) {
	return fn.MemcpyAsync((void *)dst, src, n, kHtoD, (void *)stream);
}
int trtc_cudaMemcpyDtoHAsync(void *dst, uintptr_t src, size_t n, uintptr_t stream) {
	return fn.MemcpyAsync(dst, (const void *)src, n, kDtoH, (void *)stream);
}

int trtc_cudaStreamCreate(uintptr_t *s) {
	void *q = NULL;
	int rc = fn.StreamCreate(&q);
	*s = (uintptr_t)q;
	return rc;
}
int trtc_cudaStreamDestroy(uintptr_t s) { return fn.StreamDestroy((void *)s); }
int trtc_cudaStreamSynchronize(uintptr_t s) { return fn.StreamSynchronize((void *)s); }

int trtc_cudaEventCreate(uintptr_t *e) {
	void *q = NULL;
	int rc = fn.EventCreate(&q);
	*e = (uintptr_t)q;
	return rc;
}
int trtc_cudaEventDestroy(uintptr_t e) { return fn.EventDestroy((void *)e); }
int trtc_cudaEventRecord(uintptr_t e, uintptr_t s) { return fn.EventRecord((void *)e, (void *)s); }
int trtc_cudaEventSynchronize(uintptr_t e) { return fn.EventSynchronize((void *)e); }
int trtc_cudaEventElapsedTime(float *ms, uintptr_t start, uintptr_t end) {
	return fn.EventElapsedTime(ms, (void *)start, (void *)end);
}
