//go:build tensorrt

// shim.cpp implements shim.h over TensorRT's C++ API (NvInfer.h), for
// TensorRT 10.x and 11.x. Version guards (TRTC_TRT_AT_LEAST) mark where the
// API differs; each names the release whose headers introduced the change.
//
// Compile-checked with -Wall -Werror against NVIDIA/TensorRT's public
// headers (make check-tensorrt); never run against a real libnvinfer here.
// See docs/tensorrt.md for what that means.

#include "shim.h"

// TensorRT's headers themselves use deprecated declarations and leave
// parameters unused; those warnings are theirs, not trtc's, and are silenced
// for the includes only. Uses of deprecated APIs in this file still warn
// (and fail the -Werror check).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <NvInfer.h>
#include <NvInferRuntime.h>
#include <NvInferVersion.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if NV_TENSORRT_MAJOR < 10
#error "trtc's TensorRT backend needs TensorRT 10 or newer headers"
#endif

#define TRTC_TRT_AT_LEAST(maj, min) \
    (NV_TENSORRT_MAJOR > (maj) || (NV_TENSORRT_MAJOR == (maj) && NV_TENSORRT_MINOR >= (min)))

// enumcheck.h (generated from pkg/network/enums.go) asserts that trtc's enum
// values are these headers' values, so they pass through unchanged.
#define TRTC_ENUM(T, N, V) \
    static_assert(static_cast<int32_t>(nvinfer1::T::N) == (V), "pkg/network/enums.go: " #T "::" #N " is not " #V);
#include "enumcheck.h"
#undef TRTC_ENUM

using namespace nvinfer1;

namespace
{

// ShimError is how shim code reports a failure; guard() turns it into a
// status. TensorRT's own API is noexcept throughout.
struct ShimError
{
    int32_t code;
    std::string msg;
};

[[noreturn]] void fail(int32_t code, std::string msg)
{
    throw ShimError{code, std::move(msg)};
}

// Logger keeps the last kKeep errors and warnings TensorRT reported, each
// with a sequence number and the thread that logged it, so a failing call
// can report those it caused. TensorRT keeps one logger per process (the
// first one given to createInferBuilder/createInferRuntime), so there is
// exactly one: processLogger().
class Logger : public ILogger
{
public:
    static constexpr size_t kKeep = 64;

    void log(Severity severity, AsciiChar const* msg) noexcept override
    {
        if (severity > Severity::kWARNING || msg == nullptr)
        {
            return;
        }
        try
        {
            char const* level = severity == Severity::kWARNING ? "warning" : "error";
            std::lock_guard<std::mutex> lock(mMu);
            mMsgs.push_back(Msg{mSeq++, std::this_thread::get_id(), std::string(level) + ": " + msg});
            if (mMsgs.size() > kKeep)
            {
                mMsgs.pop_front();
            }
        }
        catch (...)
        {
            // Out of memory while keeping a message: drop it.
        }
    }

    uint64_t mark()
    {
        std::lock_guard<std::mutex> lock(mMu);
        return mSeq;
    }

    // since joins the messages this thread logged from mark on (TensorRT
    // logs an API call's errors on the calling thread; other threads' calls
    // are not this one's).
    std::string since(uint64_t mark)
    {
        std::lock_guard<std::mutex> lock(mMu);
        std::string out;
        std::thread::id self = std::this_thread::get_id();
        for (auto const& m : mMsgs)
        {
            if (m.seq >= mark && m.thread == self)
            {
                out += out.empty() ? "" : "; ";
                out += m.text;
            }
        }
        return out;
    }

private:
    struct Msg
    {
        uint64_t seq;
        std::thread::id thread;
        std::string text;
    };
    std::mutex mMu;
    std::deque<Msg> mMsgs;
    uint64_t mSeq{0};
};

// processLogger is the one Logger of the process. It is never destroyed:
// TensorRT may log from its own threads until the process exits.
Logger& processLogger()
{
    static Logger* logger = new Logger();
    return *logger;
}

// Api names each TensorRT API that trtc uses and that some 10.x release
// after 10.0 added. The shim calls one only when both the headers it was
// compiled against and the loaded libnvinfer (getInferLibVersion, major
// and minor) have it: a library older than the headers (same major) lacks
// the virtual methods the headers' inline wrappers call.
enum class Api
{
    kIsNan,
    kSliceAxes,
    kCumulative,
    kSameComputeCapability,
    kShapeValuesV2,
    kTopKIndicesType,
    kNormalizationV2,
    kRotaryEmbedding,
    kFP4,
    kQuantizeBlockShape,
};

struct ApiMin
{
    Api api;
    char const* what;
    int32_t version; // major*10000 + minor*100
};

// kApiMin is the one table of minimum versions (from the headers of each
// release: the first NvInfer.h/NvInferImpl.h that declares the API).
constexpr ApiMin kApiMin[] = {
    {Api::kIsNan, "UnaryOperation::kISNAN", 100100},
    {Api::kSliceAxes, "slice axes (ISliceLayer input 5)", 100300},
    {Api::kCumulative, "INetworkDefinition::addCumulative", 100800},
    {Api::kSameComputeCapability, "HardwareCompatibilityLevel::kSAME_COMPUTE_CAPABILITY", 100900},
    {Api::kShapeValuesV2, "IOptimizationProfile::setShapeValuesV2 (int64 shape values)", 101100},
    {Api::kTopKIndicesType, "INetworkDefinition::addTopK with an indices type", 101400},
    {Api::kNormalizationV2, "INetworkDefinition::addNormalizationV2", 101500},
    {Api::kRotaryEmbedding, "INetworkDefinition::addRotaryEmbedding", 101500},
    {Api::kFP4, "DataType::kFP4", 100800},
    {Api::kQuantizeBlockShape, "IQuantizeLayer::setBlockShape and IDequantizeLayer::setBlockShape", 101500},
};

ApiMin const& apiMin(Api a)
{
    for (ApiMin const& m : kApiMin)
    {
        if (m.api == a)
        {
            return m;
        }
    }
    throw std::logic_error("shim.cpp: API missing from kApiMin");
}

constexpr int32_t kCompiled = NV_TENSORRT_MAJOR * 10000 + NV_TENSORRT_MINOR * 100;

// has says whether API a may be called: the headers and the loaded library
// (version linked, getInferLibVersion's form) both have it.
bool has(int32_t linked, Api a)
{
    int32_t v = apiMin(a).version;
    return kCompiled >= v && (linked / 100) * 100 >= v;
}

std::string versionText(int32_t v)
{
    return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100);
}

trtc_status makeStatus(int32_t code, std::string const& msg)
{
    trtc_status s;
    s.code = code;
    std::snprintf(s.msg, sizeof s.msg, "%s", msg.c_str());
    return s;
}

// guard runs f, turning ShimErrors and exceptions into a status and adding
// what the logger reported during the call to a failing one.
template <typename F>
trtc_status guard(Logger* logger, F&& f) noexcept
{
    uint64_t mark = 0;
    std::string msg;
    int32_t code = TRTC_OK;
    try
    {
        if (logger != nullptr)
        {
            mark = logger->mark();
        }
        f();
    }
    catch (ShimError const& e)
    {
        code = e.code;
        msg = e.msg;
    }
    catch (std::bad_alloc const&)
    {
        code = TRTC_ERR_EXCEPTION;
        msg = "out of host memory (std::bad_alloc)";
    }
    catch (std::exception const& e)
    {
        code = TRTC_ERR_EXCEPTION;
        msg = std::string("C++ exception: ") + e.what();
    }
    catch (...)
    {
        code = TRTC_ERR_EXCEPTION;
        msg = "C++ exception of unknown type";
    }
    if (code == TRTC_OK)
    {
        return makeStatus(TRTC_OK, "");
    }
    try
    {
        if (logger != nullptr)
        {
            std::string logged = logger->since(mark);
            if (!logged.empty())
            {
                msg += " (TensorRT: " + logged + ")";
            }
        }
    }
    catch (...)
    {
    }
    return makeStatus(code, msg);
}

// The deprecated forms of APIs whose newer form a library older than the
// headers lacks (has() says which to call). Deprecation warnings are
// silenced here only; #pragma cannot appear inside the guard macros.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#if NV_TENSORRT_MAJOR < 11
// Weak typing: the builder flags kFP16, kBF16, kINT8, kFP8 and
// kOBEY_PRECISION_CONSTRAINTS and the per-layer setPrecision/setOutputType
// are deprecated from the 10.x releases that steer users to strong typing
// (10.16 marks them) and gone in 11.x. On a weakly typed 10.x network they
// are still what trtexec's --fp16/--bf16/--int8/--fp8 and
// --precisionConstraints/--layerPrecisions set, so trtc calls them here,
// where the deprecation warning is silenced.
void setWeakTypingFlags(IBuilderConfig& cfg, bool fp16, bool bf16, bool int8, bool fp8, bool obey)
{
    if (fp16)
    {
        cfg.setFlag(BuilderFlag::kFP16);
    }
    if (bf16)
    {
        cfg.setFlag(BuilderFlag::kBF16);
    }
    if (int8)
    {
        cfg.setFlag(BuilderFlag::kINT8);
    }
    if (fp8)
    {
        cfg.setFlag(BuilderFlag::kFP8);
    }
    if (obey)
    {
        cfg.setFlag(BuilderFlag::kOBEY_PRECISION_CONSTRAINTS);
    }
}

void setLayerPrecision(ILayer& l, DataType t)
{
    l.setPrecision(t);
}

void setLayerOutputType(ILayer& l, int32_t o, DataType t)
{
    l.setOutputType(o, t);
}
#endif
ITopKLayer* addTopKWithoutIndicesType(INetworkDefinition& n, ITensor& x, TopKOperation op, int32_t k, uint32_t axes)
{
    return n.addTopK(x, op, k, axes);
}
#if !TRTC_TRT_AT_LEAST(11, 0)
INormalizationLayer* addNormalizationV1(INetworkDefinition& n, ITensor& x, ITensor& scale, ITensor& bias, uint32_t axes)
{
    return n.addNormalization(x, scale, bias, axes);
}
bool setShapeValuesInt32(IOptimizationProfile& p, char const* name, OptProfileSelector s, int32_t const* v, int32_t n)
{
    return p.setShapeValues(name, s, v, n);
}
int32_t const* profileTensorValuesInt32(ICudaEngine const& e, char const* name, int32_t profile, OptProfileSelector s)
{
    return e.getProfileTensorValues(name, profile, s);
}
#endif
#pragma GCC diagnostic pop

// need fails unless API a may be called (has), naming what needs it and
// both versions.
void need(int32_t linked, Api a, std::string const& who)
{
    if (!has(linked, a))
    {
        ApiMin const& m = apiMin(a);
        fail(TRTC_ERR_VERSION, who + ": " + m.what + " needs TensorRT " + versionText(m.version) + " or newer (loaded libnvinfer "
                + versionText(linked) + ", headers " + versionText(kCompiled) + ")");
    }
}

Dims toDims(trtc_dims const& d, char const* what)
{
    if (d.nb < 0 || d.nb > Dims::MAX_DIMS)
    {
        fail(TRTC_ERR_ARGUMENT, std::string(what) + ": rank " + std::to_string(d.nb) + " is outside TensorRT's 0.."
                + std::to_string(Dims::MAX_DIMS));
    }
    Dims out;
    out.nbDims = d.nb;
    for (int32_t i = 0; i < Dims::MAX_DIMS; ++i)
    {
        out.d[i] = i < d.nb ? d.d[i] : 0;
    }
    return out;
}

trtc_dims fromDims(Dims const& d)
{
    trtc_dims out;
    out.nb = d.nbDims;
    for (int32_t i = 0; i < TRTC_MAX_DIMS; ++i)
    {
        out.d[i] = (i < d.nbDims && i < Dims::MAX_DIMS) ? d.d[i] : 0;
    }
    return out;
}

int64_t elementSize(DataType t)
{
    switch (t)
    {
    case DataType::kFLOAT:
    case DataType::kINT32: return 4;
    case DataType::kHALF:
    case DataType::kBF16: return 2;
    case DataType::kINT8:
    case DataType::kUINT8:
    case DataType::kBOOL:
    case DataType::kFP8: return 1;
    case DataType::kINT64: return 8;
    default: break;
    }
    fail(TRTC_ERR_ARGUMENT, "weights of TensorRT DataType " + std::to_string(static_cast<int32_t>(t))
            + " are not supported by trtc (only whole-byte types)");
}

ITensor* tensor(trtc_tensor* t, char const* what)
{
    if (t == nullptr)
    {
        fail(TRTC_ERR_ARGUMENT, std::string(what) + " is missing");
    }
    return reinterpret_cast<ITensor*>(t);
}

void setOut(ITensor* t, trtc_out* out)
{
    if (out == nullptr)
    {
        return;
    }
    out->tensor = reinterpret_cast<trtc_tensor*>(t);
    out->dtype = static_cast<int32_t>(t->getType());
    out->dims = fromDims(t->getDimensions());
}

// setConv applies the optional settings that IConvolutionLayer and
// IDeconvolutionLayer share.
template <typename L>
void setConv(L* l, trtc_conv_params const& p)
{
    if (l == nullptr)
    {
        return;
    }
    if (p.stride.nb >= 0)
    {
        l->setStrideNd(toDims(p.stride, "stride"));
    }
    if (p.pre_padding.nb >= 0)
    {
        l->setPrePadding(toDims(p.pre_padding, "pre-padding"));
    }
    if (p.post_padding.nb >= 0)
    {
        l->setPostPadding(toDims(p.post_padding, "post-padding"));
    }
    if (p.dilation.nb >= 0)
    {
        l->setDilationNd(toDims(p.dilation, "dilation"));
    }
    if (p.nb_groups > 0)
    {
        l->setNbGroups(p.nb_groups);
    }
}
} // namespace

struct trtc_builder
{
    // Declaration order is destruction order reversed: the config goes
    // first, then the network, then the timing cache the config referenced
    // (setTimingCache keeps a reference), the builder last.
    int32_t linked{0}; // getInferLibVersion() when the builder was made
    bool stronglyTyped{true};
    // Plugins added with addPluginV3 outlive the network that uses them
    // (declared first, destroyed last).
    std::vector<std::unique_ptr<IPluginV3>> plugins;
    std::unique_ptr<IBuilder> builder;
    std::unique_ptr<ITimingCache> timingCache;
    std::unique_ptr<INetworkDefinition> network;
    std::unique_ptr<IBuilderConfig> config;
    std::vector<std::unique_ptr<uint8_t[]>> weights;
    std::vector<IOptimizationProfile*> profiles; // owned by the builder
    // profileValues[i] names the inputs given shape values in profile i.
    std::vector<std::vector<std::string>> profileValues;

    // copyWeights copies caller memory into memory this builder owns:
    // TensorRT reads weights at build time, long after the call.
    Weights copyWeights(DataType t, void const* data, int64_t nbytes, char const* what)
    {
        if (nbytes == 0)
        {
            return Weights{t, nullptr, 0};
        }
        int64_t size = elementSize(t);
        if (data == nullptr || nbytes < 0 || nbytes % size != 0)
        {
            fail(TRTC_ERR_ARGUMENT, std::string(what) + ": " + std::to_string(nbytes)
                    + " bytes is not a whole number of elements of " + std::to_string(size) + " bytes");
        }
        std::unique_ptr<uint8_t[]> buf(new uint8_t[static_cast<size_t>(nbytes)]);
        std::memcpy(buf.get(), data, static_cast<size_t>(nbytes));
        weights.push_back(std::move(buf));
        return Weights{t, weights.back().get(), nbytes / size};
    }

    // finish names a new layer and its outputs, checks that TensorRT could
    // type and shape every output, and reports the first. A layer TensorRT
    // could not shape (nbDims -1) would fail the whole build in network
    // validation; failing here names the layer, so the compiler moves its
    // node to fallback instead.
    void finish(ILayer* layer, char const* name, char const* call, trtc_out* out)
    {
        if (layer == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, std::string("INetworkDefinition::") + call + " failed for layer " + name);
        }
        layer->setName(name);
        int32_t n = layer->getNbOutputs();
        if (n < 1)
        {
            fail(TRTC_ERR_TENSORRT, std::string("layer ") + name + " (" + call + ") has no outputs");
        }
        for (int32_t i = 0; i < n; ++i)
        {
            ITensor* t = layer->getOutput(i);
            if (t == nullptr)
            {
                fail(TRTC_ERR_TENSORRT, std::string("layer ") + name + " (" + call + "): output " + std::to_string(i) + " is null");
            }
            std::string tn = std::string(name) + "_out" + std::to_string(i);
            t->setName(tn.c_str());
            Dims d = t->getDimensions();
            if (d.nbDims < 0 || d.nbDims > Dims::MAX_DIMS)
            {
                fail(TRTC_ERR_TENSORRT, std::string("layer ") + name + " (" + call + "): TensorRT could not infer the shape of output "
                        + std::to_string(i) + " (nbDims " + std::to_string(d.nbDims) + "); TensorRT would reject the network");
            }
        }
        setOut(layer->getOutput(0), out);
    }
};

struct trtc_blob
{
    std::unique_ptr<IHostMemory> mem;
};

struct trtc_engine
{
    int32_t linked{0};
    std::unique_ptr<IRuntime> runtime;
    std::unique_ptr<ICudaEngine> engine;
    std::unique_ptr<IExecutionContext> context;
    // Host memory bound to shape-tensor inputs (isShapeInferenceIO), which
    // TensorRT reads at enqueue: owned here, not by Go.
    std::map<std::string, std::vector<uint8_t>> hostInputs;
};

#define BUILDER_GUARD(b, ...)                                                                                         \
    guard(&processLogger(), [&]() {                                                             \
        if ((b) == nullptr || !(b)->network)                                                                           \
        {                                                                                                              \
            fail(TRTC_ERR_ARGUMENT, "builder is missing or was not created");                                          \
        }                                                                                                              \
        __VA_ARGS__;                                                                                                   \
    })

// qdqSettings applies what IQuantizeLayer and IDequantizeLayer share: the
// axis (left at TensorRT's default, per tensor, when negative), the zero
// point (input 2) and the block shape. Releases before 10.15 have no
// setBlockShape and infer the block from the scale's shape.
template <typename L>
void qdqSettings(trtc_builder* b, char const* name, L* l, trtc_tensor* zero_point, int32_t axis, trtc_dims const& block)
{
    if (l == nullptr)
    {
        return;
    }
    if (axis >= 0)
    {
        l->setAxis(axis);
    }
    if (zero_point != nullptr)
    {
        l->setInput(2, *tensor(zero_point, "zero point"));
    }
    (void) name; // used with 10.15 headers only
    if (block.nb > 0 && has(b->linked, Api::kQuantizeBlockShape))
    {
#if TRTC_TRT_AT_LEAST(10, 15)
        if (!l->setBlockShape(toDims(block, "block shape")))
        {
            fail(TRTC_ERR_TENSORRT, std::string(name) + ": TensorRT refused the block shape");
        }
#endif
    }
}

extern "C" {

trtc_status trtc_version(int32_t* linked, int32_t* compiled)
{
    return guard(nullptr, [&]() {
        *linked = getInferLibVersion();
        *compiled = NV_TENSORRT_VERSION;
    });
}

trtc_status trtc_debug_throw(int32_t what)
{
    return guard(nullptr, [&]() {
        switch (what)
        {
        case 1: throw std::runtime_error("trtc_debug_throw");
        case 2: throw std::bad_alloc();
        case 3: throw 42;
        default: fail(TRTC_ERR_ARGUMENT, "trtc_debug_throw: unknown kind " + std::to_string(what));
        }
    });
}

trtc_status trtc_builder_create(trtc_builder** out, int32_t strongly_typed)
{
    *out = nullptr;
    std::unique_ptr<trtc_builder> b;
    trtc_status st = guard(nullptr, [&]() { b.reset(new trtc_builder()); });
    if (st.code != TRTC_OK)
    {
        return st;
    }
    st = guard(&processLogger(), [&]() {
        int32_t linked = getInferLibVersion();
        if (linked / 10000 != NV_TENSORRT_MAJOR)
        {
            fail(TRTC_ERR_VERSION, "libnvinfer is TensorRT " + std::to_string(linked) + " but trtc was compiled against "
                    + std::to_string(NV_TENSORRT_VERSION) + " headers; rebuild trtc against the installed TensorRT");
        }
        b->linked = linked;
        b->builder.reset(createInferBuilder(processLogger()));
        if (!b->builder)
        {
            fail(TRTC_ERR_TENSORRT, "createInferBuilder returned null: libnvinfer could not create a builder");
        }
#if NV_TENSORRT_MAJOR < 11
        // TensorRT 10 networks are weakly typed unless asked; 11 has only
        // strongly typed networks and deprecates (ignores) the flag.
        NetworkDefinitionCreationFlags flags = strongly_typed != 0
            ? 1U << static_cast<uint32_t>(NetworkDefinitionCreationFlag::kSTRONGLY_TYPED)
            : 0U;
#else
        if (strongly_typed == 0)
        {
            fail(TRTC_ERR_ARGUMENT, "TensorRT 11 has no weakly typed networks (trtc autocasts strongly typed ones: docs/precision.md)");
        }
        NetworkDefinitionCreationFlags flags = 0;
#endif
        b->stronglyTyped = strongly_typed != 0;
        b->network.reset(b->builder->createNetworkV2(flags));
        if (!b->network)
        {
            fail(TRTC_ERR_TENSORRT, "IBuilder::createNetworkV2 returned null");
        }
        b->config.reset(b->builder->createBuilderConfig());
        if (!b->config)
        {
            fail(TRTC_ERR_TENSORRT, "IBuilder::createBuilderConfig returned null");
        }
    });
    if (st.code == TRTC_OK)
    {
        *out = b.release();
    }
    return st;
}

void trtc_builder_destroy(trtc_builder* b)
{
    delete b;
}

trtc_status trtc_add_input(trtc_builder* b, char const* name, int32_t dtype, trtc_dims dims, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        ITensor* t = b->network->addInput(name, static_cast<DataType>(dtype), toDims(dims, name));
        if (t == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, std::string("INetworkDefinition::addInput failed for input ") + name);
        }
        setOut(t, out);
    });
}

trtc_status trtc_mark_output(trtc_builder* b, trtc_tensor* tt, char const* name)
{
    return BUILDER_GUARD(b, {
        ITensor* t = tensor(tt, "output tensor");
        if (t->isNetworkInput() || t->isNetworkOutput())
        {
            IIdentityLayer* l = b->network->addIdentity(*t);
            if (l == nullptr)
            {
                fail(TRTC_ERR_TENSORRT, std::string("INetworkDefinition::addIdentity failed for output ") + name);
            }
            l->setName((std::string("[Identity]-[output]-[") + name + "]").c_str());
            t = l->getOutput(0);
        }
        t->setName(name);
        b->network->markOutput(*t);
        if (!t->isNetworkOutput())
        {
            fail(TRTC_ERR_TENSORRT, std::string("INetworkDefinition::markOutput failed for output ") + name);
        }
    });
}

trtc_status trtc_add_elementwise(trtc_builder* b, char const* name, trtc_tensor* x, trtc_tensor* y, int32_t op, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        b->finish(b->network->addElementWise(*tensor(x, "input 0"), *tensor(y, "input 1"), static_cast<ElementWiseOperation>(op)),
            name, "addElementWise", out);
    });
}

trtc_status trtc_add_activation(trtc_builder* b, char const* name, trtc_tensor* x, int32_t type, float alpha, float beta, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        IActivationLayer* l = b->network->addActivation(*tensor(x, "input"), static_cast<ActivationType>(type));
        if (l != nullptr)
        {
            l->setAlpha(alpha);
            l->setBeta(beta);
        }
        b->finish(l, name, "addActivation", out);
    });
}

trtc_status trtc_add_unary(trtc_builder* b, char const* name, trtc_tensor* x, int32_t op, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        if (op == 24)
        {
            need(b->linked, Api::kIsNan, name);
        }
        b->finish(b->network->addUnary(*tensor(x, "input"), static_cast<UnaryOperation>(op)), name, "addUnary", out);
    });
}

trtc_status trtc_add_constant(trtc_builder* b, char const* name, int32_t dtype, trtc_dims dims, void const* data, int64_t nbytes, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        Dims d = toDims(dims, name);
        int64_t volume = 1;
        for (int32_t i = 0; i < d.nbDims; ++i)
        {
            volume *= d.d[i];
        }
        Weights w = b->copyWeights(static_cast<DataType>(dtype), data, nbytes, name);
        if (w.count != volume)
        {
            fail(TRTC_ERR_ARGUMENT, std::string(name) + ": " + std::to_string(w.count) + " weights for a shape of "
                    + std::to_string(volume) + " elements");
        }
        b->finish(b->network->addConstant(d, w), name, "addConstant", out);
    });
}

trtc_status trtc_add_matrix_multiply(trtc_builder* b, char const* name, trtc_tensor* x, int32_t opx, trtc_tensor* y, int32_t opy, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        b->finish(b->network->addMatrixMultiply(*tensor(x, "input 0"), static_cast<MatrixOperation>(opx),
                      *tensor(y, "input 1"), static_cast<MatrixOperation>(opy)),
            name, "addMatrixMultiply", out);
    });
}

// setWeightInputs sets a convolution's or deconvolution's kernel and bias
// tensors (inputs 1 and 2), which replace its empty weights.
static void setWeightInputs(ILayer* l, trtc_tensor* kernel_t, trtc_tensor* bias_t)
{
    if (l == nullptr)
    {
        return;
    }
    if (kernel_t != nullptr)
    {
        l->setInput(1, *tensor(kernel_t, "kernel tensor"));
    }
    if (bias_t != nullptr)
    {
        l->setInput(2, *tensor(bias_t, "bias tensor"));
    }
}

trtc_status trtc_add_convolution(trtc_builder* b, char const* name, trtc_tensor* x, trtc_conv_params p, void const* kernel,
    int64_t kernel_bytes, void const* bias, int64_t bias_bytes, trtc_tensor* kernel_t, trtc_tensor* bias_t, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        DataType wt = static_cast<DataType>(p.weights_dtype);
        Weights kw = b->copyWeights(wt, kernel, kernel_bytes, "convolution kernel");
        Weights bw = b->copyWeights(wt, bias, bias_bytes, "convolution bias");
        IConvolutionLayer* l = b->network->addConvolutionNd(
            *tensor(x, "input"), p.nb_output_maps, toDims(p.kernel_size, "kernel size"), kw, bw);
        setConv(l, p);
        setWeightInputs(l, kernel_t, bias_t);
        b->finish(l, name, "addConvolutionNd", out);
    });
}

trtc_status trtc_add_deconvolution(trtc_builder* b, char const* name, trtc_tensor* x, trtc_conv_params p, void const* kernel,
    int64_t kernel_bytes, void const* bias, int64_t bias_bytes, trtc_tensor* kernel_t, trtc_tensor* bias_t, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        DataType wt = static_cast<DataType>(p.weights_dtype);
        Weights kw = b->copyWeights(wt, kernel, kernel_bytes, "deconvolution kernel");
        Weights bw = b->copyWeights(wt, bias, bias_bytes, "deconvolution bias");
        IDeconvolutionLayer* l = b->network->addDeconvolutionNd(
            *tensor(x, "input"), p.nb_output_maps, toDims(p.kernel_size, "kernel size"), kw, bw);
        setConv(l, p);
        setWeightInputs(l, kernel_t, bias_t);
        b->finish(l, name, "addDeconvolutionNd", out);
    });
}

trtc_status trtc_add_pooling(trtc_builder* b, char const* name, trtc_tensor* x, trtc_pool_params p, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        IPoolingLayer* l = b->network->addPoolingNd(*tensor(x, "input"), static_cast<PoolingType>(p.type), toDims(p.window, "window"));
        if (l != nullptr)
        {
            if (p.stride.nb >= 0)
            {
                l->setStrideNd(toDims(p.stride, "stride"));
            }
            if (p.pre_padding.nb >= 0)
            {
                l->setPrePadding(toDims(p.pre_padding, "pre-padding"));
            }
            if (p.post_padding.nb >= 0)
            {
                l->setPostPadding(toDims(p.post_padding, "post-padding"));
            }
            l->setPaddingMode(static_cast<PaddingMode>(p.padding_mode));
            l->setAverageCountExcludesPadding(p.exclude_padding != 0);
            if (p.type == static_cast<int32_t>(PoolingType::kMAX_AVERAGE_BLEND))
            {
                l->setBlendFactor(p.blend_factor);
            }
        }
        b->finish(l, name, "addPoolingNd", out);
    });
}

namespace
{
Permutation toPermutation(trtc_dims const& d, char const* what)
{
    if (d.nb < 0 || d.nb > Dims::MAX_DIMS)
    {
        fail(TRTC_ERR_ARGUMENT, std::string(what) + ": " + std::to_string(d.nb) + " axes");
    }
    Permutation p;
    for (int32_t i = 0; i < Dims::MAX_DIMS; ++i)
    {
        p.order[i] = static_cast<int32_t>(i < d.nb ? d.d[i] : i);
    }
    return p;
}
} // namespace

trtc_status trtc_add_shuffle(trtc_builder* b, char const* name, trtc_tensor* x, trtc_shuffle_params p, trtc_tensor* reshape_tensor, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        IShuffleLayer* l = b->network->addShuffle(*tensor(x, "input"));
        if (l != nullptr)
        {
            if (p.first_transpose.nb >= 0)
            {
                l->setFirstTranspose(toPermutation(p.first_transpose, "first transpose"));
            }
            // TensorRT's default is true; trtc's is false, so always set it.
            l->setZeroIsPlaceholder(p.zero_is_placeholder != 0);
            if (reshape_tensor != nullptr)
            {
                l->setInput(1, *tensor(reshape_tensor, "reshape tensor"));
            }
            else if (p.reshape.nb >= 0)
            {
                l->setReshapeDimensions(toDims(p.reshape, "reshape"));
            }
            if (p.second_transpose.nb >= 0)
            {
                l->setSecondTranspose(toPermutation(p.second_transpose, "second transpose"));
            }
        }
        b->finish(l, name, "addShuffle", out);
    });
}

trtc_status trtc_add_reduce(trtc_builder* b, char const* name, trtc_tensor* x, int32_t op, uint32_t axes, int32_t keep_dims, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        b->finish(b->network->addReduce(*tensor(x, "input"), static_cast<ReduceOperation>(op), axes, keep_dims != 0), name,
            "addReduce", out);
    });
}

trtc_status trtc_add_softmax(trtc_builder* b, char const* name, trtc_tensor* x, uint32_t axes, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        ISoftMaxLayer* l = b->network->addSoftMax(*tensor(x, "input"));
        if (l != nullptr)
        {
            l->setAxes(axes);
        }
        b->finish(l, name, "addSoftMax", out);
    });
}

trtc_status trtc_add_concatenation(trtc_builder* b, char const* name, trtc_tensor* const* xs, int32_t n, int32_t axis, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        if (n < 1 || xs == nullptr)
        {
            fail(TRTC_ERR_ARGUMENT, std::string(name) + ": concatenation of no tensors");
        }
        std::vector<ITensor*> ins;
        for (int32_t i = 0; i < n; ++i)
        {
            ins.push_back(tensor(xs[i], "concatenation input"));
        }
        IConcatenationLayer* l = b->network->addConcatenation(ins.data(), n);
        if (l != nullptr)
        {
            l->setAxis(axis);
        }
        b->finish(l, name, "addConcatenation", out);
    });
}

trtc_status trtc_add_einsum(trtc_builder* b, char const* name, trtc_tensor* const* xs, int32_t n, char const* equation, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        if (n < 1 || xs == nullptr || equation == nullptr)
        {
            fail(TRTC_ERR_ARGUMENT, std::string(name) + ": einsum of no tensors or without an equation");
        }
        std::vector<ITensor*> ins;
        for (int32_t i = 0; i < n; ++i)
        {
            ins.push_back(tensor(xs[i], "einsum input"));
        }
        IEinsumLayer* l = b->network->addEinsum(ins.data(), n, equation);
        b->finish(l, name, "addEinsum", out);
    });
}

trtc_status trtc_load_plugin_library(char const* path)
{
    return guard(nullptr, [&]() {
        if (path == nullptr)
        {
            fail(TRTC_ERR_ARGUMENT, "plugin library without a path");
        }
        IPluginRegistry* registry = getPluginRegistry();
        if (registry == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, std::string("TensorRT plugin library ") + path + ": getPluginRegistry() returned null");
        }
        if (registry->loadLibrary(path) == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, std::string("TensorRT plugin library ") + path + ": IPluginRegistry::loadLibrary failed (see the TensorRT log)");
        }
    });
}

trtc_status trtc_plugin_creators(char* buf, int64_t cap, int64_t* need)
{
    return guard(nullptr, [&]() {
        if (need == nullptr || cap < 0 || (cap > 0 && buf == nullptr))
        {
            fail(TRTC_ERR_ARGUMENT, "plugin creator list without an output");
        }
        IPluginRegistry* registry = getPluginRegistry();
        if (registry == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, "listing TensorRT plugin creators: getPluginRegistry() returned null");
        }
        auto clean = [](char const* s) {
            std::string out = s != nullptr ? s : "";
            for (char& c : out)
            {
                if (c == '\t' || c == '\n' || c == '\r')
                {
                    c = ' ';
                }
            }
            return out;
        };
        int32_t n = 0;
        IPluginCreatorInterface* const* all = registry->getAllCreators(&n);
        std::string text;
        for (int32_t i = 0; all != nullptr && i < n; ++i)
        {
            IPluginCreatorInterface* ci = all[i];
            if (ci == nullptr)
            {
                continue;
            }
            InterfaceInfo info = ci->getInterfaceInfo();
            std::string kind = clean(info.kind);
            if (kind != "PLUGIN CREATOR_V3ONE")
            {
                // Only V3One creators can make plugin layers; others are
                // listed by kind alone (their name API differs per kind).
                text += "\t\t\t" + kind + "\t\n";
                continue;
            }
            auto* c = static_cast<IPluginCreatorV3One*>(ci);
            std::string fields;
            PluginFieldCollection const* fc = c->getFieldNames();
            for (int32_t j = 0; fc != nullptr && j < fc->nbFields; ++j)
            {
                fields += (j > 0 ? "," : "") + clean(fc->fields[j].name) + ":" + std::to_string(static_cast<int32_t>(fc->fields[j].type));
            }
            text += clean(c->getPluginName()) + "\t" + clean(c->getPluginVersion()) + "\t" + clean(c->getPluginNamespace()) + "\t" + kind
                + "\t" + fields + "\n";
        }
        *need = static_cast<int64_t>(text.size()) + 1;
        if (cap >= *need)
        {
            std::memcpy(buf, text.c_str(), text.size() + 1);
        }
    });
}

trtc_status trtc_add_plugin_v3(trtc_builder* b, char const* name, trtc_tensor* const* xs, int32_t n, char const* creator,
    char const* version, char const* ns, trtc_plugin_field const* fields, int32_t nfields, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        if (creator == nullptr || version == nullptr || ns == nullptr || n < 0 || (n > 0 && xs == nullptr) || nfields < 0
            || (nfields > 0 && fields == nullptr))
        {
            fail(TRTC_ERR_ARGUMENT, std::string(name) + ": plugin layer without a creator, version or namespace, or with null inputs or fields");
        }
        std::string what = std::string("TensorRT plugin ") + creator + " version " + version + " (namespace \"" + ns + "\")";
        IPluginRegistry* registry = getPluginRegistry();
        if (registry == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, what + ": getPluginRegistry() returned null");
        }
        IPluginCreatorInterface* ci = registry->getCreator(creator, version, ns);
        if (ci == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, what + ": no such creator is registered (load its library with --trt-plugin-lib)");
        }
        InterfaceInfo info = ci->getInterfaceInfo();
        if (info.kind == nullptr || std::string(info.kind) != "PLUGIN CREATOR_V3ONE")
        {
            fail(TRTC_ERR_TENSORRT, what + ": its creator is " + (info.kind ? info.kind : "of no kind") + ", not an IPluginCreatorV3One");
        }
        std::vector<PluginField> pf;
        for (int32_t i = 0; i < nfields; ++i)
        {
            trtc_plugin_field const& f = fields[i];
            if (f.name == nullptr || f.length < 0 || (f.length > 0 && f.data == nullptr))
            {
                fail(TRTC_ERR_ARGUMENT, what + ": field " + std::to_string(i) + " has no name or no data");
            }
            pf.emplace_back(f.name, f.data, static_cast<PluginFieldType>(f.type), f.length);
        }
        PluginFieldCollection fc{};
        fc.nbFields = static_cast<int32_t>(pf.size());
        fc.fields = pf.empty() ? nullptr : pf.data();
        IPluginV3* plugin = static_cast<IPluginCreatorV3One*>(ci)->createPlugin(name, &fc, TensorRTPhase::kBUILD);
        if (plugin == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, what + ": createPlugin returned null");
        }
        b->plugins.emplace_back(plugin);
        std::vector<ITensor*> ins;
        for (int32_t i = 0; i < n; ++i)
        {
            ins.push_back(tensor(xs[i], "plugin input"));
        }
        IPluginV3Layer* l = b->network->addPluginV3(ins.empty() ? nullptr : ins.data(), n, nullptr, 0, *plugin);
        b->finish(l, name, "addPluginV3", out);
    });
}

trtc_status trtc_add_grid_sample(trtc_builder* b, char const* name, trtc_tensor* x, trtc_tensor* grid, int32_t mode, int32_t align_corners,
    int32_t sample, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        ITensor* in = tensor(x, "grid-sample input");
        ITensor* g = tensor(grid, "grid-sample grid");
        IGridSampleLayer* l = b->network->addGridSample(*in, *g);
        if (l != nullptr)
        {
            l->setInterpolationMode(static_cast<InterpolationMode>(mode));
            l->setAlignCorners(align_corners != 0);
            if (!l->setSampleMode(static_cast<SampleMode>(sample)))
            {
                fail(TRTC_ERR_ARGUMENT, std::string(name) + ": IGridSampleLayer::setSampleMode refused sample mode " + std::to_string(sample));
            }
        }
        b->finish(l, name, "addGridSample", out);
    });
}

trtc_status trtc_add_onehot(trtc_builder* b, char const* name, trtc_tensor* indices, trtc_tensor* values, trtc_tensor* depth, int32_t axis, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        ITensor* i = tensor(indices, "one-hot indices");
        ITensor* v = tensor(values, "one-hot values");
        ITensor* d = tensor(depth, "one-hot depth");
        IOneHotLayer* l = b->network->addOneHot(*i, *v, *d, axis);
        b->finish(l, name, "addOneHot", out);
    });
}

trtc_status trtc_add_slice(trtc_builder* b, char const* name, trtc_tensor* x, trtc_slice_params p, trtc_tensor* start_t,
    trtc_tensor* size_t_, trtc_tensor* stride_t, trtc_tensor* fill, trtc_tensor* axes, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        ITensor* in = tensor(x, "input");
        if (axes != nullptr)
        {
            need(b->linked, Api::kSliceAxes, name);
        }
        // Static start/size/stride that a tensor replaces still need a rank:
        // that of a static one, else the tensor's length, else the input's.
        int32_t n = -1;
        for (trtc_dims const* d : {&p.start, &p.size, &p.stride})
        {
            if (n < 0 && d->nb >= 0)
            {
                n = d->nb;
            }
        }
        for (trtc_tensor* t : {start_t, size_t_, stride_t})
        {
            if (n < 0 && t != nullptr)
            {
                Dims d = tensor(t, "slice parameter")->getDimensions();
                if (d.nbDims == 1 && d.d[0] >= 0)
                {
                    n = static_cast<int32_t>(d.d[0]);
                }
            }
        }
        if (n < 0)
        {
            n = in->getDimensions().nbDims;
        }
        auto orDefault = [&](trtc_dims const& d, int64_t v, char const* what) {
            if (d.nb >= 0)
            {
                return toDims(d, what);
            }
            trtc_dims z;
            z.nb = n;
            for (int64_t& e : z.d)
            {
                e = v;
            }
            return toDims(z, what);
        };
        ISliceLayer* l = b->network->addSlice(
            *in, orDefault(p.start, 0, "start"), orDefault(p.size, 0, "size"), orDefault(p.stride, 1, "stride"));
        if (l != nullptr)
        {
            l->setMode(static_cast<SampleMode>(p.mode));
            trtc_tensor* extra[] = {start_t, size_t_, stride_t, fill, axes};
            for (int32_t i = 0; i < 5; ++i)
            {
                if (extra[i] != nullptr)
                {
                    l->setInput(i + 1, *tensor(extra[i], "slice input"));
                }
            }
        }
        b->finish(l, name, "addSlice", out);
    });
}

trtc_status trtc_add_gather(trtc_builder* b, char const* name, trtc_tensor* data, trtc_tensor* indices, int32_t axis, int32_t mode, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        GatherMode m = static_cast<GatherMode>(mode);
        IGatherLayer* l = b->network->addGatherV2(*tensor(data, "data"), *tensor(indices, "indices"), m);
        if (l != nullptr)
        {
            if (m == GatherMode::kND)
            {
                l->setNbElementWiseDims(0);
            }
            else
            {
                l->setGatherAxis(axis);
            }
        }
        b->finish(l, name, "addGatherV2", out);
    });
}

trtc_status trtc_add_gather_nd(trtc_builder* b, char const* name, trtc_tensor* data, trtc_tensor* indices, int32_t nb_elementwise_dims,
    trtc_out* out)
{
    return BUILDER_GUARD(b, {
        if (nb_elementwise_dims < 0)
        {
            fail(TRTC_ERR_ARGUMENT, std::string(name) + ": " + std::to_string(nb_elementwise_dims) + " element-wise dims");
        }
        IGatherLayer* l = b->network->addGatherV2(*tensor(data, "data"), *tensor(indices, "indices"), GatherMode::kND);
        if (l != nullptr)
        {
            l->setNbElementWiseDims(nb_elementwise_dims);
        }
        b->finish(l, name, "addGatherV2", out);
    });
}

trtc_status trtc_add_scatter(trtc_builder* b, char const* name, trtc_tensor* data, trtc_tensor* indices, trtc_tensor* updates,
    int32_t mode, int32_t axis, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        ScatterMode m = static_cast<ScatterMode>(mode);
        IScatterLayer* l = b->network->addScatter(*tensor(data, "data"), *tensor(indices, "indices"), *tensor(updates, "updates"), m);
        if (l != nullptr && m == ScatterMode::kELEMENT)
        {
            l->setAxis(axis);
        }
        b->finish(l, name, "addScatter", out);
    });
}

// Loops and conditionals. The handles are TensorRT's own objects, owned by
// the network.
namespace
{
ILoop* loopOf(trtc_loop* l)
{
    if (l == nullptr)
    {
        fail(TRTC_ERR_ARGUMENT, "loop is missing");
    }
    return reinterpret_cast<ILoop*>(l);
}

IIfConditional* conditionalOf(trtc_conditional* c)
{
    if (c == nullptr)
    {
        fail(TRTC_ERR_ARGUMENT, "conditional is missing");
    }
    return reinterpret_cast<IIfConditional*>(c);
}

// nameOnly names a layer without outputs (trip limit, condition).
void nameOnly(ILayer* l, char const* name, char const* call)
{
    if (l == nullptr)
    {
        fail(TRTC_ERR_TENSORRT, std::string(call) + " failed for layer " + name);
    }
    l->setName(name);
}
} // namespace

trtc_status trtc_add_loop(trtc_builder* b, char const* name, trtc_loop** out)
{
    return BUILDER_GUARD(b, {
        ILoop* l = b->network->addLoop();
        if (l == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, std::string("INetworkDefinition::addLoop failed for ") + name);
        }
        l->setName(name);
        *out = reinterpret_cast<trtc_loop*>(l);
    });
}

trtc_status trtc_add_trip_limit(trtc_builder* b, char const* name, trtc_loop* loop, trtc_tensor* limit, int32_t kind)
{
    return BUILDER_GUARD(b, {
        ITripLimitLayer* l = loopOf(loop)->addTripLimit(*tensor(limit, "trip limit"), static_cast<TripLimit>(kind));
        nameOnly(l, name, "ILoop::addTripLimit");
    });
}

trtc_status trtc_add_recurrence(trtc_builder* b, char const* name, trtc_loop* loop, trtc_tensor* initial, trtc_recurrence** layer, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        IRecurrenceLayer* l = loopOf(loop)->addRecurrence(*tensor(initial, "initial value"));
        b->finish(l, name, "ILoop::addRecurrence", out);
        *layer = reinterpret_cast<trtc_recurrence*>(l);
    });
}

trtc_status trtc_set_recurrence_input(trtc_builder* b, trtc_recurrence* layer, trtc_tensor* next)
{
    return BUILDER_GUARD(b, {
        if (layer == nullptr)
        {
            fail(TRTC_ERR_ARGUMENT, "recurrence layer is missing");
        }
        reinterpret_cast<IRecurrenceLayer*>(layer)->setInput(1, *tensor(next, "next value"));
    });
}

trtc_status trtc_add_iterator(trtc_builder* b, char const* name, trtc_loop* loop, trtc_tensor* x, int32_t axis, int32_t reverse, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        IIteratorLayer* l = loopOf(loop)->addIterator(*tensor(x, "iterated tensor"), axis, reverse != 0);
        b->finish(l, name, "ILoop::addIterator", out);
    });
}

trtc_status trtc_add_loop_output(trtc_builder* b, char const* name, trtc_loop* loop, trtc_tensor* x, int32_t kind, int32_t axis,
    trtc_tensor* length, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        ILoopOutputLayer* l = loopOf(loop)->addLoopOutput(*tensor(x, "loop output input"), static_cast<LoopOutput>(kind), axis);
        if (l != nullptr && length != nullptr)
        {
            l->setInput(1, *tensor(length, "concatenation length"));
        }
        b->finish(l, name, "ILoop::addLoopOutput", out);
    });
}

trtc_status trtc_add_if_conditional(trtc_builder* b, char const* name, trtc_conditional** out)
{
    return BUILDER_GUARD(b, {
        IIfConditional* c = b->network->addIfConditional();
        if (c == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, std::string("INetworkDefinition::addIfConditional failed for ") + name);
        }
        c->setName(name);
        *out = reinterpret_cast<trtc_conditional*>(c);
    });
}

trtc_status trtc_set_condition(trtc_builder* b, char const* name, trtc_conditional* c, trtc_tensor* cond)
{
    return BUILDER_GUARD(b, {
        IConditionLayer* l = conditionalOf(c)->setCondition(*tensor(cond, "condition"));
        nameOnly(l, name, "IIfConditional::setCondition");
    });
}

trtc_status trtc_add_if_input(trtc_builder* b, char const* name, trtc_conditional* c, trtc_tensor* x, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        b->finish(conditionalOf(c)->addInput(*tensor(x, "conditional input")), name, "IIfConditional::addInput", out);
    });
}

trtc_status trtc_add_if_output(trtc_builder* b, char const* name, trtc_conditional* c, trtc_tensor* true_out, trtc_tensor* false_out,
    trtc_out* out)
{
    return BUILDER_GUARD(b, {
        IIfConditional* cond = conditionalOf(c);
        b->finish(cond->addOutput(*tensor(true_out, "true output"), *tensor(false_out, "false output")), name,
            "IIfConditional::addOutput", out);
    });
}

trtc_status trtc_add_select(trtc_builder* b, char const* name, trtc_tensor* cond, trtc_tensor* then_, trtc_tensor* else_, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        b->finish(b->network->addSelect(*tensor(cond, "condition"), *tensor(then_, "then input"), *tensor(else_, "else input")),
            name, "addSelect", out);
    });
}

trtc_status trtc_add_cast(trtc_builder* b, char const* name, trtc_tensor* x, int32_t dtype, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        b->finish(b->network->addCast(*tensor(x, "input"), static_cast<DataType>(dtype)), name, "addCast", out);
    });
}

trtc_status trtc_add_quantize(trtc_builder* b, char const* name, trtc_tensor* x, trtc_tensor* scale, trtc_tensor* zero_point,
    int32_t to_type, int32_t axis, trtc_dims block_shape, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        if (to_type == 10)
        {
            need(b->linked, Api::kFP4, name);
        }
        IQuantizeLayer* l = b->network->addQuantize(*tensor(x, "input"), *tensor(scale, "scale"), static_cast<DataType>(to_type));
        qdqSettings(b, name, l, zero_point, axis, block_shape);
        b->finish(l, name, "addQuantize", out);
    });
}

trtc_status trtc_add_dequantize(trtc_builder* b, char const* name, trtc_tensor* x, trtc_tensor* scale, trtc_tensor* zero_point,
    int32_t to_type, int32_t axis, trtc_dims block_shape, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        IDequantizeLayer* l = b->network->addDequantize(*tensor(x, "input"), *tensor(scale, "scale"), static_cast<DataType>(to_type));
        qdqSettings(b, name, l, zero_point, axis, block_shape);
        b->finish(l, name, "addDequantize", out);
    });
}

trtc_status trtc_add_identity(trtc_builder* b, char const* name, trtc_tensor* x, trtc_out* out)
{
    return BUILDER_GUARD(b, { b->finish(b->network->addIdentity(*tensor(x, "input")), name, "addIdentity", out); });
}

trtc_status trtc_add_normalization(trtc_builder* b, char const* name, trtc_tensor* x, trtc_tensor* scale, trtc_tensor* bias,
    uint32_t axes, float epsilon, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        // 10.15 deprecated addNormalization for addNormalizationV2, which
        // differs only for group normalization (scale/bias per channel);
        // trtc sets no groups. An older library has only the first.
        INormalizationLayer* l = nullptr;
        char const* call = "addNormalization";
#if TRTC_TRT_AT_LEAST(10, 15)
        if (has(b->linked, Api::kNormalizationV2))
        {
            l = b->network->addNormalizationV2(*tensor(x, "input"), *tensor(scale, "scale"), *tensor(bias, "bias"), axes);
            call = "addNormalizationV2";
        }
        else
#endif
        {
#if TRTC_TRT_AT_LEAST(11, 0)
            need(b->linked, Api::kNormalizationV2, name); // 11.x has no other
#else
            l = addNormalizationV1(*b->network, *tensor(x, "input"), *tensor(scale, "scale"), *tensor(bias, "bias"), axes);
#endif
        }
        if (l != nullptr)
        {
            l->setEpsilon(epsilon);
        }
        b->finish(l, name, call, out);
    });
}

trtc_status trtc_add_shape(trtc_builder* b, char const* name, trtc_tensor* x, trtc_out* out)
{
    return BUILDER_GUARD(b, { b->finish(b->network->addShape(*tensor(x, "input")), name, "addShape", out); });
}

trtc_status trtc_add_fill(trtc_builder* b, char const* name, trtc_fill_params p, trtc_tensor* dims_t, trtc_tensor* alpha_t,
    trtc_tensor* beta_t, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        Dims d{};
        d.nbDims = 0;
        if (dims_t == nullptr)
        {
            d = toDims(p.dims, "fill dims");
        }
        IFillLayer* l = b->network->addFill(d, static_cast<FillOperation>(p.op), static_cast<DataType>(p.dtype));
        if (l != nullptr)
        {
            if (dims_t != nullptr)
            {
                l->setInput(0, *tensor(dims_t, "fill dims"));
            }
            if (alpha_t != nullptr || beta_t != nullptr)
            {
                l->setInput(1, *tensor(alpha_t, "fill alpha"));
                l->setInput(2, *tensor(beta_t, "fill beta"));
            }
            else
            {
                l->setAlpha(p.alpha);
                l->setBeta(p.beta);
            }
        }
        b->finish(l, name, "addFill", out);
    });
}

trtc_status trtc_add_cumulative(trtc_builder* b, char const* name, trtc_tensor* x, trtc_tensor* axis, int32_t op, int32_t exclusive,
    int32_t reverse, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        need(b->linked, Api::kCumulative, name);
#if TRTC_TRT_AT_LEAST(10, 8)
        b->finish(b->network->addCumulative(*tensor(x, "input"), *tensor(axis, "axis"), static_cast<CumulativeOperation>(op),
                      exclusive != 0, reverse != 0),
            name, "addCumulative", out);
#else
        (void) x;
        (void) axis;
        (void) op;
        (void) exclusive;
        (void) reverse;
        (void) out;
#endif
    });
}

trtc_status trtc_add_rotary_embedding(trtc_builder* b, char const* name, trtc_tensor* x, trtc_tensor* cosCache, trtc_tensor* sinCache,
    trtc_tensor* pos, int32_t interleaved, int32_t dim, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        need(b->linked, Api::kRotaryEmbedding, name);
#if TRTC_TRT_AT_LEAST(10, 15)
        IRotaryEmbeddingLayer* l = b->network->addRotaryEmbedding(
            *tensor(x, "input"), *tensor(cosCache, "cos cache"), *tensor(sinCache, "sin cache"), interleaved != 0, dim);
        if (l != nullptr && pos != nullptr)
        {
            l->setInput(3, *tensor(pos, "position ids"));
        }
        b->finish(l, name, "addRotaryEmbedding", out);
#else
        (void) x;
        (void) cosCache;
        (void) sinCache;
        (void) pos;
        (void) interleaved;
        (void) dim;
        (void) out;
#endif
    });
}

trtc_status trtc_add_topk(trtc_builder* b, char const* name, trtc_tensor* x, int32_t op, int64_t k, uint32_t axes, trtc_out* values,
    trtc_out* indices)
{
    return BUILDER_GUARD(b, {
        if (k < 0 || k > INT32_MAX)
        {
            fail(TRTC_ERR_ARGUMENT, std::string(name) + ": k " + std::to_string(k) + " is outside TensorRT's int32 range");
        }
        // 10.14 added the indices type (and deprecated the form without
        // it); an older library has only the form without.
        ITopKLayer* l = nullptr;
#if TRTC_TRT_AT_LEAST(10, 14)
        if (has(b->linked, Api::kTopKIndicesType))
        {
            l = b->network->addTopK(
                *tensor(x, "input"), static_cast<TopKOperation>(op), static_cast<int32_t>(k), axes, DataType::kINT32);
        }
        else
#endif
        {
            l = addTopKWithoutIndicesType(*b->network, *tensor(x, "input"), static_cast<TopKOperation>(op), static_cast<int32_t>(k), axes);
        }
        b->finish(l, name, "addTopK", values);
        if (l->getNbOutputs() < 2)
        {
            fail(TRTC_ERR_TENSORRT, std::string("layer ") + name + " (addTopK) has no indices output");
        }
        setOut(l->getOutput(1), indices);
    });
}

trtc_status trtc_add_resize(trtc_builder* b, char const* name, trtc_tensor* x, trtc_resize_params p, trtc_tensor* output_dims_t, trtc_out* out)
{
    return BUILDER_GUARD(b, {
        int32_t ways = (p.output_dims.nb >= 0 ? 1 : 0) + (output_dims_t != nullptr ? 1 : 0) + (p.nb_scales > 0 ? 1 : 0);
        if (ways != 1)
        {
            fail(TRTC_ERR_ARGUMENT, std::string(name) + ": exactly one of output dims, an output-dims tensor and scales must be set, not "
                    + std::to_string(ways));
        }
        if (p.nb_scales > TRTC_MAX_DIMS)
        {
            fail(TRTC_ERR_ARGUMENT, std::string(name) + ": " + std::to_string(p.nb_scales) + " scales, more than TensorRT's "
                    + std::to_string(Dims::MAX_DIMS) + " dims");
        }
        IResizeLayer* l = b->network->addResize(*tensor(x, "input"));
        if (l != nullptr)
        {
            // A shape tensor makes the layer dynamic; TensorRT then refuses
            // setOutputDimensions and setScales, so only one is called.
            if (output_dims_t != nullptr)
            {
                l->setInput(1, *tensor(output_dims_t, "output dims"));
            }
            else if (p.nb_scales > 0)
            {
                l->setScales(p.scales, p.nb_scales);
            }
            else
            {
                l->setOutputDimensions(toDims(p.output_dims, "output dims"));
            }
            l->setResizeMode(static_cast<InterpolationMode>(p.mode));
            l->setCoordinateTransformation(static_cast<ResizeCoordinateTransformation>(p.coord_transform));
            l->setSelectorForSinglePixel(static_cast<ResizeSelector>(p.selector));
            l->setNearestRounding(static_cast<ResizeRoundMode>(p.nearest_rounding));
            l->setCubicCoeff(p.cubic_coeff);
            l->setExcludeOutside(p.exclude_outside != 0);
        }
        b->finish(l, name, "addResize", out);
    });
}

trtc_status trtc_is_shape_tensor(trtc_builder* b, trtc_tensor* t, int32_t* is)
{
    return BUILDER_GUARD(b, { *is = tensor(t, "tensor")->isShapeTensor() ? 1 : 0; });
}

trtc_status trtc_set_node_precision(trtc_builder* b, char const* node, int32_t dtype, int32_t* n)
{
    *n = 0;
    return BUILDER_GUARD(b, {
        if (b->stronglyTyped)
        {
            fail(TRTC_ERR_ARGUMENT, "per-layer precision applies to weakly typed networks only (a strongly typed network's types are its casts)");
        }
#if NV_TENSORRT_MAJOR < 11
        std::string key = std::string("-[") + node + "]";
        DataType t = static_cast<DataType>(dtype);
        for (int32_t i = 0; i < b->network->getNbLayers(); ++i)
        {
            ILayer* l = b->network->getLayer(i);
            if (l == nullptr || std::string(l->getName()).find(key) == std::string::npos)
            {
                continue;
            }
            // Only layers on floats: a node's shape arithmetic (int64)
            // keeps its types.
            bool onFloats = false;
            for (int32_t o = 0; o < l->getNbOutputs(); ++o)
            {
                ITensor* out = l->getOutput(o);
                DataType ot = out != nullptr ? out->getType() : DataType::kINT32;
                onFloats = onFloats || ot == DataType::kFLOAT || ot == DataType::kHALF || ot == DataType::kBF16;
            }
            if (!onFloats)
            {
                continue;
            }
            setLayerPrecision(*l, t);
            for (int32_t o = 0; o < l->getNbOutputs(); ++o)
            {
                ITensor* out = l->getOutput(o);
                DataType ot = out != nullptr ? out->getType() : DataType::kINT32;
                if (ot == DataType::kFLOAT || ot == DataType::kHALF || ot == DataType::kBF16)
                {
                    setLayerOutputType(*l, o, t);
                }
            }
            ++*n;
        }
#else
        (void) node;
        (void) dtype;
        fail(TRTC_ERR_ARGUMENT, "TensorRT 11 has no per-layer precision (weak typing was removed)");
#endif
    });
}

trtc_status trtc_profile_new(trtc_builder* b, int32_t* index)
{
    return BUILDER_GUARD(b, {
        IOptimizationProfile* p = b->builder->createOptimizationProfile();
        if (p == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, "IBuilder::createOptimizationProfile returned null");
        }
        b->profiles.push_back(p);
        b->profileValues.emplace_back();
        *index = static_cast<int32_t>(b->profiles.size() - 1);
    });
}

trtc_status trtc_profile_set(trtc_builder* b, int32_t index, char const* input, trtc_dims min, trtc_dims opt, trtc_dims max)
{
    return BUILDER_GUARD(b, {
        if (index < 0 || static_cast<size_t>(index) >= b->profiles.size())
        {
            fail(TRTC_ERR_ARGUMENT, "no optimization profile " + std::to_string(index));
        }
        IOptimizationProfile* p = b->profiles[static_cast<size_t>(index)];
        std::pair<OptProfileSelector, trtc_dims const*> sel[] = {
            {OptProfileSelector::kMIN, &min}, {OptProfileSelector::kOPT, &opt}, {OptProfileSelector::kMAX, &max}};
        for (auto const& s : sel)
        {
            if (!p->setDimensions(input, s.first, toDims(*s.second, input)))
            {
                fail(TRTC_ERR_TENSORRT, std::string("IOptimizationProfile::setDimensions failed for input ") + input
                        + " in profile " + std::to_string(index));
            }
        }
    });
}

trtc_status trtc_profile_set_values(trtc_builder* b, int32_t index, char const* input, int32_t n, int64_t const* min,
    int64_t const* opt, int64_t const* max)
{
    return BUILDER_GUARD(b, {
        if (index < 0 || static_cast<size_t>(index) >= b->profiles.size())
        {
            fail(TRTC_ERR_ARGUMENT, "no optimization profile " + std::to_string(index));
        }
        if (n < 0 || (n > 0 && (min == nullptr || opt == nullptr || max == nullptr)))
        {
            fail(TRTC_ERR_ARGUMENT, std::string("shape values of input ") + input + ": " + std::to_string(n) + " values");
        }
        IOptimizationProfile* p = b->profiles[static_cast<size_t>(index)];
        std::pair<OptProfileSelector, int64_t const*> sel[] = {
            {OptProfileSelector::kMIN, min}, {OptProfileSelector::kOPT, opt}, {OptProfileSelector::kMAX, max}};
        for (auto const& s : sel)
        {
            bool ok = false;
#if TRTC_TRT_AT_LEAST(10, 11)
            if (has(b->linked, Api::kShapeValuesV2))
            {
                ok = p->setShapeValuesV2(input, s.first, s.second, n);
            }
            else
#endif
            {
#if TRTC_TRT_AT_LEAST(11, 0)
                need(b->linked, Api::kShapeValuesV2, std::string("input ") + input);
#else
                // Before 10.11 shape values are int32.
                std::vector<int32_t> v32;
                for (int32_t i = 0; i < n; ++i)
                {
                    if (s.second[i] < INT32_MIN || s.second[i] > INT32_MAX)
                    {
                        fail(TRTC_ERR_VERSION, std::string("input ") + input + ": shape value " + std::to_string(s.second[i])
                                + " does not fit in int32, which TensorRT before 10.11 needs (loaded libnvinfer "
                                + versionText(b->linked) + ")");
                    }
                    v32.push_back(static_cast<int32_t>(s.second[i]));
                }
                ok = setShapeValuesInt32(*p, input, s.first, v32.data(), n);
#endif
            }
            if (!ok)
            {
                fail(TRTC_ERR_TENSORRT, std::string("IOptimizationProfile::setShapeValues failed for input ") + input + " in profile "
                        + std::to_string(index));
            }
        }
        b->profileValues[static_cast<size_t>(index)].push_back(input);
    });
}

trtc_status trtc_build(trtc_builder* b, trtc_build_config c, void const* timing_cache, int64_t timing_cache_len, trtc_blob** plan,
    trtc_blob** cache_out)
{
    *plan = nullptr;
    *cache_out = nullptr;
    return BUILDER_GUARD(b, {
        IBuilderConfig& cfg = *b->config;
        if (c.workspace_bytes > 0)
        {
            cfg.setMemoryPoolLimit(MemoryPoolType::kWORKSPACE, static_cast<size_t>(c.workspace_bytes));
        }
        if (c.optimization_level >= 0)
        {
            cfg.setBuilderOptimizationLevel(c.optimization_level);
        }
        if (c.hardware_compat > 1)
        {
            need(b->linked, Api::kSameComputeCapability, "--hardware-compatibility same-compute-capability");
        }
        cfg.setHardwareCompatibilityLevel(static_cast<HardwareCompatibilityLevel>(c.hardware_compat));
        if (c.version_compatible != 0)
        {
            cfg.setFlag(BuilderFlag::kVERSION_COMPATIBLE);
        }
        bool precisionFlags = c.fp16 != 0 || c.bf16 != 0 || c.int8 != 0 || c.fp8 != 0 || c.obey_precision_constraints != 0;
        if (precisionFlags && b->stronglyTyped)
        {
            // TensorRT rejects these flags on a strongly typed network: its
            // types are the casts and weights trtc placed.
            fail(TRTC_ERR_ARGUMENT, "precision builder flags (--fp16, --bf16, --int8, --fp8) apply to weakly typed networks only");
        }
#if NV_TENSORRT_MAJOR < 11
        setWeakTypingFlags(cfg, c.fp16 != 0, c.bf16 != 0, c.int8 != 0, c.fp8 != 0, c.obey_precision_constraints != 0);
#endif
        // The config keeps a reference to the cache: the builder owns it,
        // and destroys it after the config.
        if (b->timingCache)
        {
            fail(TRTC_ERR_ARGUMENT, "the network was already built");
        }
        b->timingCache.reset(
            cfg.createTimingCache(timing_cache_len > 0 ? timing_cache : nullptr, static_cast<size_t>(timing_cache_len)));
        ITimingCache* cache = b->timingCache.get();
        if (cache == nullptr)
        {
            fail(TRTC_ERR_TENSORRT, "IBuilderConfig::createTimingCache failed (is the timing cache file from another TensorRT?)");
        }
        if (!cfg.setTimingCache(*cache, false))
        {
            fail(TRTC_ERR_TENSORRT, "IBuilderConfig::setTimingCache refused the timing cache (built on another device or TensorRT?)");
        }
        // TensorRT needs the values of every shape-tensor input in every
        // profile (setShapeValues); say which is missing before it fails.
        for (int32_t i = 0; i < b->network->getNbInputs(); ++i)
        {
            ITensor* in = b->network->getInput(i);
            if (in == nullptr || !in->isShapeTensor())
            {
                continue;
            }
            std::string n = in->getName();
            if (b->profiles.empty())
            {
                fail(TRTC_ERR_ARGUMENT, "input " + n + " is a shape tensor: TensorRT needs its values in an optimization profile "
                        + "(give them in --min-shapes, --opt-shapes and --max-shapes)");
            }
            for (size_t p = 0; p < b->profiles.size(); ++p)
            {
                auto const& v = b->profileValues[p];
                if (std::find(v.begin(), v.end(), n) == v.end())
                {
                    fail(TRTC_ERR_ARGUMENT, "input " + n + " is a shape tensor, but optimization profile " + std::to_string(p)
                            + " gives no values for it (setShapeValues)");
                }
            }
        }
        for (size_t i = 0; i < b->profiles.size(); ++i)
        {
            if (cfg.addOptimizationProfile(b->profiles[i]) < 0)
            {
                fail(TRTC_ERR_TENSORRT, "IBuilderConfig::addOptimizationProfile refused profile " + std::to_string(i));
            }
        }
        std::unique_ptr<trtc_blob> p(new trtc_blob());
        p->mem.reset(b->builder->buildSerializedNetwork(*b->network, cfg));
        if (!p->mem)
        {
            fail(TRTC_ERR_TENSORRT, "IBuilder::buildSerializedNetwork failed");
        }
        std::unique_ptr<trtc_blob> tc(new trtc_blob());
        tc->mem.reset(cache->serialize());
        *plan = p.release();
        *cache_out = tc->mem ? tc.release() : nullptr;
    });
}

trtc_status trtc_blob_data(trtc_blob* blob, void const** data, int64_t* size)
{
    return guard(nullptr, [&]() {
        if (blob == nullptr || !blob->mem)
        {
            fail(TRTC_ERR_ARGUMENT, "blob is missing");
        }
        *data = blob->mem->data();
        *size = static_cast<int64_t>(blob->mem->size());
    });
}

void trtc_blob_destroy(trtc_blob* blob)
{
    delete blob;
}

trtc_status trtc_engine_create(void const* plan, int64_t size, int32_t allow_host_code, trtc_engine** out)
{
    *out = nullptr;
    std::unique_ptr<trtc_engine> e;
    trtc_status st = guard(nullptr, [&]() { e.reset(new trtc_engine()); });
    if (st.code != TRTC_OK)
    {
        return st;
    }
    st = guard(&processLogger(), [&]() {
        e->linked = getInferLibVersion();
        e->runtime.reset(createInferRuntime(processLogger()));
        if (!e->runtime)
        {
            fail(TRTC_ERR_TENSORRT, "createInferRuntime returned null: libnvinfer could not create a runtime");
        }
        // A version-compatible engine carries the lean runtime (host code);
        // TensorRT refuses to deserialize it unless the runtime allows that.
        if (allow_host_code != 0)
        {
            e->runtime->setEngineHostCodeAllowed(true);
        }
        e->engine.reset(e->runtime->deserializeCudaEngine(plan, static_cast<size_t>(size)));
        if (!e->engine)
        {
            fail(TRTC_ERR_TENSORRT,
                "IRuntime::deserializeCudaEngine failed (an engine built by another TensorRT version, or for another GPU?)");
        }
        e->context.reset(e->engine->createExecutionContext());
        if (!e->context)
        {
            fail(TRTC_ERR_TENSORRT, "ICudaEngine::createExecutionContext failed");
        }
    });
    if (st.code == TRTC_OK)
    {
        *out = e.release();
    }
    return st;
}

void trtc_engine_destroy(trtc_engine* e)
{
    delete e;
}

#define ENGINE_GUARD(e, ...)                                                                                          \
    guard(&processLogger(), [&]() {                                                             \
        if ((e) == nullptr || !(e)->context)                                                                           \
        {                                                                                                              \
            fail(TRTC_ERR_ARGUMENT, "engine is missing or was not created");                                           \
        }                                                                                                              \
        __VA_ARGS__;                                                                                                   \
    })

trtc_status trtc_engine_nb_io(trtc_engine* e, int32_t* n)
{
    return ENGINE_GUARD(e, { *n = e->engine->getNbIOTensors(); });
}

trtc_status trtc_engine_io(trtc_engine* e, int32_t i, char const** name, int32_t* is_input, int32_t* is_host, int32_t* dtype, trtc_dims* dims)
{
    return ENGINE_GUARD(e, {
        char const* n = e->engine->getIOTensorName(i);
        if (n == nullptr)
        {
            fail(TRTC_ERR_ARGUMENT, "engine has no I/O tensor " + std::to_string(i));
        }
        *name = n;
        *is_input = e->engine->getTensorIOMode(n) == TensorIOMode::kINPUT ? 1 : 0;
        *is_host = e->engine->isShapeInferenceIO(n) ? 1 : 0;
        *dtype = static_cast<int32_t>(e->engine->getTensorDataType(n));
        *dims = fromDims(e->engine->getTensorShape(n));
    });
}

trtc_status trtc_engine_set_input_shape(trtc_engine* e, char const* name, trtc_dims dims)
{
    return ENGINE_GUARD(e, {
        if (!e->context->setInputShape(name, toDims(dims, name)))
        {
            fail(TRTC_ERR_TENSORRT, std::string("IExecutionContext::setInputShape refused the shape of input ") + name
                    + " (outside the optimization profile?)");
        }
    });
}

trtc_status trtc_engine_tensor_shape(trtc_engine* e, char const* name, trtc_dims* dims)
{
    return ENGINE_GUARD(e, { *dims = fromDims(e->context->getTensorShape(name)); });
}

trtc_status trtc_engine_set_address(trtc_engine* e, char const* name, uintptr_t addr)
{
    return ENGINE_GUARD(e, {
        if (!e->context->setTensorAddress(name, reinterpret_cast<void*>(addr)))
        {
            fail(TRTC_ERR_TENSORRT, std::string("IExecutionContext::setTensorAddress failed for tensor ") + name);
        }
    });
}

trtc_status trtc_engine_nb_profiles(trtc_engine* e, int32_t* n)
{
    return ENGINE_GUARD(e, { *n = e->engine->getNbOptimizationProfiles(); });
}

trtc_status trtc_engine_profile_shape(trtc_engine* e, char const* name, int32_t profile, trtc_dims* min, trtc_dims* opt, trtc_dims* max)
{
    return ENGINE_GUARD(e, {
        *min = fromDims(e->engine->getProfileShape(name, profile, OptProfileSelector::kMIN));
        *opt = fromDims(e->engine->getProfileShape(name, profile, OptProfileSelector::kOPT));
        *max = fromDims(e->engine->getProfileShape(name, profile, OptProfileSelector::kMAX));
    });
}

trtc_status trtc_engine_profile_values(
    trtc_engine* e, char const* name, int32_t profile, int32_t n, int64_t* min, int64_t* opt, int64_t* max, int32_t* found)
{
    return ENGINE_GUARD(e, {
        *found = 0;
        std::pair<OptProfileSelector, int64_t*> sel[] = {
            {OptProfileSelector::kMIN, min}, {OptProfileSelector::kOPT, opt}, {OptProfileSelector::kMAX, max}};
        for (auto const& s : sel)
        {
#if TRTC_TRT_AT_LEAST(10, 11)
            if (has(e->linked, Api::kShapeValuesV2))
            {
                int64_t const* v = e->engine->getProfileTensorValuesV2(name, profile, s.first);
                if (v == nullptr)
                {
                    return;
                }
                std::copy(v, v + n, s.second);
                continue;
            }
#endif
#if TRTC_TRT_AT_LEAST(11, 0)
            need(e->linked, Api::kShapeValuesV2, std::string("input ") + name);
#else
            int32_t const* v = profileTensorValuesInt32(*e->engine, name, profile, s.first);
            if (v == nullptr)
            {
                return;
            }
            std::copy(v, v + n, s.second);
#endif
        }
        *found = 1;
    });
}

trtc_status trtc_engine_set_profile(trtc_engine* e, int32_t profile, uintptr_t stream)
{
    return ENGINE_GUARD(e, {
        if (e->context->getOptimizationProfile() == profile)
        {
            return;
        }
        if (!e->context->setOptimizationProfileAsync(profile, reinterpret_cast<cudaStream_t>(stream)))
        {
            fail(TRTC_ERR_TENSORRT, "IExecutionContext::setOptimizationProfileAsync refused profile " + std::to_string(profile));
        }
    });
}

trtc_status trtc_engine_set_host_input(trtc_engine* e, char const* name, void const* data, int64_t nbytes)
{
    return ENGINE_GUARD(e, {
        if (nbytes < 0 || (nbytes > 0 && data == nullptr))
        {
            fail(TRTC_ERR_ARGUMENT, std::string("host input ") + name + ": " + std::to_string(nbytes) + " bytes");
        }
        std::vector<uint8_t>& buf = e->hostInputs[name];
        buf.assign(static_cast<uint8_t const*>(data), static_cast<uint8_t const*>(data) + nbytes);
        if (buf.empty())
        {
            buf.push_back(0); // TensorRT wants an address even for no values
        }
        if (!e->context->setTensorAddress(name, buf.data()))
        {
            fail(TRTC_ERR_TENSORRT, std::string("IExecutionContext::setTensorAddress failed for shape-tensor input ") + name);
        }
    });
}

trtc_status trtc_engine_enqueue(trtc_engine* e, uintptr_t stream)
{
    return ENGINE_GUARD(e, {
        if (!e->context->enqueueV3(reinterpret_cast<cudaStream_t>(stream)))
        {
            fail(TRTC_ERR_TENSORRT, "IExecutionContext::enqueueV3 failed");
        }
    });
}

} // extern "C"
