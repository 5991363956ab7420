// fake_nvinfer.cpp is a stand-in libnvinfer.so for `make check-tensorrt`:
// it exports the entry points trtc's shim links against (the ones NvInfer.h
// and NvInferRuntime.h declare extern "C") and makes them fail the way a
// broken installation does, so the shim's error paths run without
// TensorRT. Its behaviour is chosen by the environment:
//   TRTC_FAKE_NVINFER_VERSION  what getInferLibVersion returns (default:
//                              the headers' NV_TENSORRT_VERSION)
// createInferBuilder_INTERNAL and createInferRuntime_INTERNAL log an error
// through the caller's ILogger and return null.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <NvInfer.h>
#include <NvInferRuntime.h>
#pragma GCC diagnostic pop

#include <cstdlib>

extern "C" int32_t getInferLibVersion() noexcept
{
    char const* v = std::getenv("TRTC_FAKE_NVINFER_VERSION");
    return v != nullptr ? static_cast<int32_t>(std::atoi(v)) : static_cast<int32_t>(NV_TENSORRT_VERSION);
}

extern "C" void* createInferBuilder_INTERNAL(void* logger, int32_t version) noexcept
{
    static_cast<nvinfer1::ILogger*>(logger)->log(
        nvinfer1::ILogger::Severity::kERROR, "fake libnvinfer: no CUDA-capable device is detected");
    (void) version;
    return nullptr;
}

extern "C" void* createInferRuntime_INTERNAL(void* logger, int32_t version) noexcept
{
    static_cast<nvinfer1::ILogger*>(logger)->log(
        nvinfer1::ILogger::Severity::kWARNING, "fake libnvinfer: CUDA initialization failure");
    static_cast<nvinfer1::ILogger*>(logger)->log(nvinfer1::ILogger::Severity::kINFO, "fake libnvinfer: not kept (info)");
    (void) version;
    return nullptr;
}

// getPluginRegistry (NvInferRuntime.h) has no registry to give: the shim's
// plugin layers fail with "getPluginRegistry() returned null".
extern "C" nvinfer1::IPluginRegistry* getPluginRegistry() noexcept
{
    return nullptr;
}
