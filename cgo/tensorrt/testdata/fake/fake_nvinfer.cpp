// fake_nvinfer.cpp is the stand-in libnvinfer.so of `make check-tensorrt`:
// a recording fake of TensorRT's implementation interfaces (NvInferImpl.h's
// apiv classes), built against the real headers, so trtc's shim runs its real
// code paths (every INetworkDefinition, IBuilderConfig, IOptimizationProfile,
// IRuntime, ICudaEngine and IExecutionContext call it makes goes through the
// headers' inline wrappers into this file) without TensorRT.
//
// What it is and is not:
//   - It records every layer the shim adds (type, name, inputs, outputs and
//     each setting, under TensorRT's setter names in snake case) and writes
//     them, as the JSON of network.LayerInfo, into the "plan" that
//     buildSerializedNetwork returns; cgo/tensorrt's tests compare that with
//     the reference backend's description of the same network.
//   - It does not infer shapes the way TensorRT does. A layer's output
//     dtypes and dims are those the test fed (trtc_fake_feed_output) for the
//     next layer, else the first input's (a constant's: its weights'; a
//     cast's: its type; a shape layer's: [rank] of Int64).
//   - It records the process-level facts the shim must get right: the
//     ILogger each builder and runtime gets, whether a timing cache was
//     destroyed while a builder config referenced it, whether host code was
//     allowed before deserialization, profile selection, shape-tensor values
//     and host bindings. trtc_fake_events returns them.
//   - Methods it does not implement report to fake::unexpected (the
//     generated stubs of fake_gen.h), which the tests fail on.
//
// The environment chooses failures:
//   TRTC_FAKE_NVINFER_VERSION  what getInferLibVersion returns (default: the
//                              headers' NV_TENSORRT_VERSION)
//   TRTC_FAKE_NVINFER_FAIL=1   createInferBuilder/createInferRuntime log an
//                              error (a warning) and return null, as a broken
//                              installation does
//   TRTC_FAKE_UNSHAPED=TEXT    outputs of layers whose name contains TEXT have
//                              nbDims -1
//                              (a layer TensorRT could not shape)
//   TRTC_FAKE_NULL_ADD=METHOD  that INetworkDefinition method returns null
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include <NvInfer.h>
#include <NvInferRuntime.h>
#include <NvInferVersion.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#define FAKE_TRT_AT_LEAST(maj, min) \
    (NV_TENSORRT_MAJOR > (maj) || (NV_TENSORRT_MAJOR == (maj) && NV_TENSORRT_MINOR >= (min)))

#include "fake_gen.h"

using namespace nvinfer1;

namespace fake
{
using namespace nvinfer1;

std::mutex gMu;
std::vector<std::string> gEvents;

void event(std::string const& e)
{
    std::lock_guard<std::mutex> lock(gMu);
    gEvents.push_back(e);
}

void unexpected(char const* what)
{
    event(std::string("unexpected call: ") + what);
}

std::string jsonString(char const* s)
{
    std::string out = "\"";
    for (char const* p = s; p != nullptr && *p != 0; ++p)
    {
        unsigned char c = static_cast<unsigned char>(*p);
        if (c == '"' || c == '\\')
        {
            out += '\\';
            out += static_cast<char>(c);
        }
        else if (c < 0x20)
        {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        }
        else
        {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

// dtypeName is trtc's name of a TensorRT DataType (ir.DType's String).
std::string dtypeName(DataType t)
{
    std::string n = enumName(t);
    static std::map<std::string, std::string> const names = {{"FLOAT", "float32"}, {"HALF", "float16"}, {"INT8", "int8"},
        {"INT32", "int32"}, {"BOOL", "bool"}, {"UINT8", "uint8"}, {"FP8", "float8e4m3fn"}, {"BF16", "bfloat16"},
        {"INT64", "int64"}, {"INT4", "int4"}, {"FP4", "float4e2m1"}, {"E8M0", "float8e8m0"}};
    auto it = names.find(n);
    return it != names.end() ? it->second : "dtype(" + n + ")";
}

int64_t elementSize(DataType t)
{
    std::string n = enumName(t);
    if (n == "FLOAT" || n == "INT32")
        return 4;
    if (n == "HALF" || n == "BF16")
        return 2;
    if (n == "INT64")
        return 8;
    return 1;
}

// json of Weights: dtype, count and an FNV-1a hash of the bytes, so a
// comparison sees whether the shim passed the converter's data.
std::string json(Weights const& w)
{
    uint64_t h = 14695981039346656037ULL;
    int64_t n = w.values != nullptr && w.count > 0 ? w.count * elementSize(w.type) : 0;
    for (int64_t i = 0; i < n; ++i)
    {
        h ^= static_cast<uint8_t const*>(w.values)[i];
        h *= 1099511628211ULL;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return "{\"dtype\":" + json(w.type) + ",\"count\":" + std::to_string(w.count) + ",\"fnv1a\":\"" + buf + "\"}";
}

Dims noDims()
{
    Dims d{};
    d.nbDims = -1;
    return d;
}

std::string env(char const* name)
{
    char const* v = std::getenv(name);
    return v != nullptr ? v : "";
}

// Outputs fed by the test for the next layer added.
struct Fed
{
    DataType type;
    Dims dims;
};
std::deque<Fed> gFeed;

class Layer;

// TensorImpl is VTensor: a name, a type, dims, the layer that produced it
// and whether it is (used as) a shape tensor.
class TensorImpl : public GenVTensor
{
public:
    std::string name;
    DataType type{DataType::kFLOAT};
    Dims dims{};
    Layer* producer{nullptr};
    bool input{false};
    bool output{false};
    bool shape{false};

    void setName(char const* n) noexcept override
    {
        name = n != nullptr ? n : "";
    }
    char const* getName() const noexcept override
    {
        return name.c_str();
    }
    void setDimensions(Dims const& d) noexcept override
    {
        dims = d;
    }
    Dims getDimensions() const noexcept override;
#if !FAKE_TRT_AT_LEAST(11, 0)
    void setType(DataType t) noexcept override
    {
        type = t;
    }
#endif
    DataType getType() const noexcept override
    {
        return type;
    }
    bool isNetworkInput() const noexcept override
    {
        return input;
    }
    bool isNetworkOutput() const noexcept override
    {
        return output;
    }
    bool isShapeTensor() const noexcept override
    {
        return shape;
    }
    bool isExecutionTensor() const noexcept override
    {
        return !shape;
    }
};

class Tensor : public ITensor
{
public:
    TensorImpl impl;
    Tensor()
    {
        mImpl = &impl;
    }
};

TensorImpl& implOf(ITensor& t)
{
    return static_cast<Tensor&>(t).impl;
}

std::string tensorJson(TensorImpl const& t)
{
    Dims d = t.getDimensions();
    std::string shape = d.nbDims < 0 ? "null" : json(d);
    return "{\"name\":" + jsonString(t.name.c_str()) + ",\"dtype\":" + json(t.type) + ",\"shape\":" + shape
        + ",\"shape_tensor\":" + (t.shape ? "true" : "false") + "}";
}

// Layer is what every fake layer shares: VLayer, its inputs and outputs,
// and its recorded settings in the order they were set (a later set of the
// same name replaces the earlier).
class Layer : public Owner
{
public:
    class Impl : public GenVLayer
    {
    public:
        Layer* l{nullptr};
        LayerType getType() const noexcept override
        {
            return l->type;
        }
        void setName(char const* n) noexcept override
        {
            l->name = n != nullptr ? n : "";
        }
        char const* getName() const noexcept override
        {
            return l->name.c_str();
        }
#if NV_TENSORRT_MAJOR < 11
        // Per-layer precision (weakly typed TensorRT 10 networks) is
        // recorded as the layer's "precision" and "output_type_<i>".
        void setPrecision(DataType t) noexcept override
        {
            l->set("precision", jsonString(enumName(t)));
        }
        void setOutputType(int32_t i, DataType t) noexcept override
        {
            l->set(("output_type_" + std::to_string(i)).c_str(), jsonString(enumName(t)));
        }
#endif
        int32_t getNbInputs() const noexcept override
        {
            return static_cast<int32_t>(l->inputs.size());
        }
        ITensor* getInput(int32_t i) const noexcept override
        {
            return i >= 0 && static_cast<size_t>(i) < l->inputs.size() ? l->inputs[static_cast<size_t>(i)] : nullptr;
        }
        int32_t getNbOutputs() const noexcept override
        {
            return static_cast<int32_t>(l->outputs.size());
        }
        ITensor* getOutput(int32_t i) const noexcept override
        {
            return i >= 0 && static_cast<size_t>(i) < l->outputs.size() ? l->outputs[static_cast<size_t>(i)].get() : nullptr;
        }
        void setInput(int32_t i, ITensor& t) noexcept override
        {
            if (i < 0 || i > 16)
            {
                unexpected("VLayer::setInput with a bad index");
                return;
            }
            if (static_cast<size_t>(i) >= l->inputs.size())
            {
                l->inputs.resize(static_cast<size_t>(i) + 1, nullptr);
            }
            l->inputs[static_cast<size_t>(i)] = &t;
            l->markShapeInputs();
        }
    };

    Impl vl;
    // self is the layer as an ILayer (set by L), for getLayer.
    ILayer* self{nullptr};
    LayerType type;
    std::string name;
    std::vector<ITensor*> inputs;
    std::vector<std::unique_ptr<Tensor>> outputs;
    std::vector<std::pair<std::string, std::string>> params;
    // shapeInputs are the input indices TensorRT takes as shape tensors.
    std::set<int32_t> shapeInputs;

    explicit Layer(LayerType t)
        : type(t)
    {
        vl.l = this;
    }

    void set(char const* n, std::string v) override
    {
        std::string key = n;
        // TensorRT's setter for a resize's mode is setResizeMode; trtc
        // describes it as "mode", as for slice, gather and scatter.
        if (type == LayerType::kRESIZE && key == "resize_mode")
        {
            key = "mode";
        }
        for (auto& p : params)
        {
            if (p.first == key)
            {
                p.second = std::move(v);
                return;
            }
        }
        params.emplace_back(key, std::move(v));
    }

    // markShapeInputs marks the tensors at shape-tensor inputs, and the
    // network inputs they are computed from, as shape tensors.
    void markShapeInputs();

    Tensor* addOutput(DataType t, Dims d)
    {
        std::unique_ptr<Tensor> o(new Tensor());
        o->impl.type = t;
        o->impl.dims = d;
        o->impl.producer = this;
        outputs.push_back(std::move(o));
        return outputs.back().get();
    }

    std::string json() const
    {
        std::string out = "{\"name\":" + jsonString(name.c_str()) + ",\"type\":" + jsonString(enumName(type)) + ",\"inputs\":[";
        bool first = true;
        for (ITensor* t : inputs)
        {
            out += first ? "" : ",";
            first = false;
            out += t != nullptr ? tensorJson(implOf(*t)) : "null";
        }
        out += "],\"outputs\":[";
        for (size_t i = 0; i < outputs.size(); ++i)
        {
            out += (i > 0 ? "," : "") + tensorJson(outputs[i]->impl);
        }
        out += "],\"params\":{";
        for (size_t i = 0; i < params.size(); ++i)
        {
            out += (i > 0 ? "," : "") + jsonString(params[i].first.c_str()) + ":" + params[i].second;
        }
        return out + "}}";
    }
};

Dims TensorImpl::getDimensions() const noexcept
{
    std::string unshaped = env("TRTC_FAKE_UNSHAPED");
    if (producer != nullptr && !unshaped.empty() && producer->name.find(unshaped) != std::string::npos)
    {
        return noDims();
    }
    return dims;
}

void markShape(ITensor* t, int depth)
{
    if (t == nullptr || depth > 64)
    {
        return;
    }
    TensorImpl& ti = implOf(*t);
    ti.shape = true;
    // A shape layer's output is a shape tensor computed from an execution
    // tensor; other layers propagate the need for values to their inputs.
    if (ti.producer != nullptr && ti.producer->type != LayerType::kSHAPE)
    {
        for (ITensor* in : ti.producer->inputs)
        {
            markShape(in, depth + 1);
        }
    }
}

void Layer::markShapeInputs()
{
    for (int32_t i : shapeInputs)
    {
        if (static_cast<size_t>(i) < inputs.size())
        {
            markShape(inputs[static_cast<size_t>(i)], 0);
        }
    }
}

// L is a fake layer of interface I whose specific implementation is G.
template <typename I, typename G>
class L : public I, public Layer
{
public:
    G impl;
    explicit L(LayerType t)
        : Layer(t)
    {
        this->mLayer = &vl;
        this->mImpl = &impl;
        impl.owner = this;
        self = this;
    }
};

class ResizeImpl : public GenVResizeLayer
{
public:
    void setScales(float const* scales, int32_t n) noexcept override
    {
        std::string v = "[";
        for (int32_t i = 0; i < n; ++i)
        {
            v += (i > 0 ? "," : "") + json(scales[i]);
        }
        owner->set("scales", v + "]");
    }
};

// ---- Plugin registry -------------------------------------------------
//
// The fake's IPluginRegistry holds the creators a test registers
// (trtc_fake_register_creator). Each is an IPluginCreatorV3One whose
// createPlugin records its arguments (event "createPlugin ...") and makes a
// FakePlugin that keeps them; addPluginV3 records the layer with the
// creator's name, version and namespace and the fields as
// reference.Describe writes a PLUGIN_V3 layer's params.

// pluginFieldTypeName is PluginFieldType's enumerator name ("kFLOAT32"),
// for the four types trtc passes; others by number.
std::string pluginFieldTypeName(PluginFieldType t)
{
    switch (static_cast<int32_t>(t))
    {
    case 1: return "kFLOAT32";
    case 5: return "kINT32";
    case 6: return "kCHAR";
    case 10: return "kINT64";
    }
    return "PluginFieldType(" + std::to_string(static_cast<int32_t>(t)) + ")";
}

// fieldsJson writes a field collection as [{"name","type","length","data"}].
std::string fieldsJson(PluginFieldCollection const* fc)
{
    std::string out = "[";
    for (int32_t i = 0; fc != nullptr && i < fc->nbFields; ++i)
    {
        PluginField const& f = fc->fields[i];
        std::string data = "null";
        if (f.data != nullptr && f.length > 0)
        {
            switch (static_cast<int32_t>(f.type))
            {
            case 1:
            case 5:
            case 10:
                data = "[";
                for (int32_t j = 0; j < f.length; ++j)
                {
                    data += j > 0 ? "," : "";
                    int32_t t = static_cast<int32_t>(f.type);
                    data += t == 1 ? json(static_cast<float const*>(f.data)[j])
                        : t == 5   ? std::to_string(static_cast<int32_t const*>(f.data)[j])
                                   : std::to_string(static_cast<int64_t const*>(f.data)[j]);
                }
                data += "]";
                break;
            case 6: data = jsonString(std::string(static_cast<char const*>(f.data), static_cast<size_t>(f.length)).c_str()); break;
            default: data = "\"unrecorded\"";
            }
        }
        else if (static_cast<int32_t>(f.type) == 6)
        {
            data = "\"\"";
        }
        out += (i > 0 ? "," : "") + std::string("{\"name\":") + jsonString(f.name) + ",\"type\":"
            + jsonString(pluginFieldTypeName(f.type).c_str()) + ",\"length\":" + std::to_string(f.length) + ",\"data\":" + data + "}";
    }
    return out + "]";
}

class FakePlugin : public IPluginV3
{
public:
    std::string creator, version, ns, name, fields;
    IPluginCapability* getCapabilityInterface(PluginCapabilityType) noexcept override
    {
        unexpected("IPluginV3::getCapabilityInterface");
        return nullptr;
    }
    IPluginV3* clone() noexcept override
    {
        return new FakePlugin(*this);
    }
};

class FakeCreator : public IPluginCreatorV3One
{
public:
    std::string name, version, ns;
    // The declared fields (getFieldNames): names kept alive here.
    std::vector<std::string> fieldNames;
    std::vector<PluginField> fieldList;
    PluginFieldCollection fc{};

    IPluginV3* createPlugin(AsciiChar const* n, PluginFieldCollection const* c, TensorRTPhase phase) noexcept override
    {
        auto* p = new FakePlugin();
        p->creator = name;
        p->version = version;
        p->ns = ns;
        p->name = n != nullptr ? n : "";
        p->fields = fieldsJson(c);
        event("createPlugin " + name + " " + version + " " + ns + " name=" + p->name
            + " phase=" + (phase == TensorRTPhase::kBUILD ? "BUILD" : "RUNTIME") + " fields=" + p->fields);
        return p;
    }
    PluginFieldCollection const* getFieldNames() noexcept override
    {
        return &fc;
    }
    AsciiChar const* getPluginName() const noexcept override
    {
        return name.c_str();
    }
    AsciiChar const* getPluginVersion() const noexcept override
    {
        return version.c_str();
    }
    AsciiChar const* getPluginNamespace() const noexcept override
    {
        return ns.c_str();
    }
};

class FakeRegistry : public IPluginRegistry
{
public:
    std::vector<std::unique_ptr<FakeCreator>> creators;
    std::vector<IPluginCreatorInterface*> list;

#if !FAKE_TRT_AT_LEAST(11, 0)
    // The IPluginCreator (V2) methods 10.x still declares, deprecated.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    bool registerCreator(IPluginCreator&, AsciiChar const* const) noexcept override
    {
        unexpected("IPluginRegistry::registerCreator(IPluginCreator)");
        return false;
    }
    IPluginCreator* const* getPluginCreatorList(int32_t* const n) const noexcept override
    {
        unexpected("IPluginRegistry::getPluginCreatorList");
        *n = 0;
        return nullptr;
    }
    IPluginCreator* getPluginCreator(AsciiChar const* const, AsciiChar const* const, AsciiChar const* const) noexcept override
    {
        unexpected("IPluginRegistry::getPluginCreator");
        return nullptr;
    }
    bool deregisterCreator(IPluginCreator const&) noexcept override
    {
        unexpected("IPluginRegistry::deregisterCreator(IPluginCreator)");
        return false;
    }
#pragma GCC diagnostic pop
#endif
    void setErrorRecorder(IErrorRecorder* const) noexcept override
    {
        unexpected("IPluginRegistry::setErrorRecorder");
    }
    IErrorRecorder* getErrorRecorder() const noexcept override
    {
        unexpected("IPluginRegistry::getErrorRecorder");
        return nullptr;
    }
    bool isParentSearchEnabled() const override
    {
        unexpected("IPluginRegistry::isParentSearchEnabled");
        return true;
    }
    void setParentSearchEnabled(bool const) override
    {
        unexpected("IPluginRegistry::setParentSearchEnabled");
    }
    PluginLibraryHandle loadLibrary(AsciiChar const* path) noexcept override
    {
        event(std::string("loadLibrary ") + (path != nullptr ? path : "(null)"));
        return path != nullptr && std::string(path).find("missing") == std::string::npos ? this : nullptr;
    }
    void deregisterLibrary(PluginLibraryHandle) noexcept override
    {
        unexpected("IPluginRegistry::deregisterLibrary");
    }
    bool registerCreator(IPluginCreatorInterface&, AsciiChar const* const) noexcept override
    {
        unexpected("IPluginRegistry::registerCreator");
        return false;
    }
    IPluginCreatorInterface* const* getAllCreators(int32_t* const n) const noexcept override
    {
        event("getAllCreators");
        *n = static_cast<int32_t>(list.size());
        return list.data();
    }
    IPluginCreatorInterface* getCreator(AsciiChar const* const name, AsciiChar const* const version, AsciiChar const* const ns) noexcept override
    {
        std::string n = name != nullptr ? name : "", v = version != nullptr ? version : "", s = ns != nullptr ? ns : "";
        event("getCreator " + n + " " + v + " " + s);
        for (auto& c : creators)
        {
            if (c->name == n && c->version == v && c->ns == s)
            {
                return c.get();
            }
        }
        return nullptr;
    }
    bool deregisterCreator(IPluginCreatorInterface const&) noexcept override
    {
        unexpected("IPluginRegistry::deregisterCreator");
        return false;
    }
    IPluginResource* acquirePluginResource(AsciiChar const*, IPluginResource*) noexcept override
    {
        unexpected("IPluginRegistry::acquirePluginResource");
        return nullptr;
    }
    int32_t releasePluginResource(AsciiChar const*) noexcept override
    {
        unexpected("IPluginRegistry::releasePluginResource");
        return -1;
    }
#if FAKE_TRT_AT_LEAST(10, 10)
    IPluginCreatorInterface* const* getAllCreatorsRecursive(int32_t* const n) noexcept override
    {
        event("getAllCreatorsRecursive");
        *n = static_cast<int32_t>(list.size());
        return list.data();
    }
#endif
};

FakeRegistry* registry()
{
    static FakeRegistry* r = new FakeRegistry(); // never destroyed, as TensorRT's
    return r;
}

class Network;

// Loops and conditionals. Each records, on its boundary layers, its number
// ("loop"/"conditional": loops and conditionals counted together in the
// order added, as trtc's reference backend numbers its regions).
class NetworkImpl;

// BL is a fake boundary layer: L with the boundary implementation B.
template <typename I, typename G, typename B>
class BL : public L<I, G>
{
public:
    B boundary;
    explicit BL(LayerType t)
        : L<I, G>(t)
    {
        this->mBoundary = &boundary;
        boundary.owner = this;
    }
};

class LoopV : public GenVLoop
{
public:
    NetworkImpl* net{nullptr};
    int32_t id{0};
    std::string name;
    IRecurrenceLayer* addRecurrence(ITensor& init) noexcept override;
    ITripLimitLayer* addTripLimit(ITensor& t, TripLimit kind) noexcept override;
    IIteratorLayer* addIterator(ITensor& t, int32_t axis, bool reverse) noexcept override;
    ILoopOutputLayer* addLoopOutput(ITensor& t, LoopOutput kind, int32_t axis) noexcept override;
    void setName(char const* n) noexcept override
    {
        name = n != nullptr ? n : "";
    }
    char const* getName() const noexcept override
    {
        return name.c_str();
    }
};

class FakeLoop : public ILoop
{
public:
    LoopV v;
    FakeLoop()
    {
        mImpl = &v;
    }
};

class CondV : public GenVIfConditional
{
public:
    NetworkImpl* net{nullptr};
    int32_t id{0};
    std::string name;
    IConditionLayer* setCondition(ITensor& cond) noexcept override;
    IIfConditionalInputLayer* addInput(ITensor& t) noexcept override;
    IIfConditionalOutputLayer* addOutput(ITensor& t, ITensor& f) noexcept override;
    void setName(char const* n) noexcept override
    {
        name = n != nullptr ? n : "";
    }
    char const* getName() const noexcept override
    {
        return name.c_str();
    }
};

class FakeCond : public IIfConditional
{
public:
    CondV v;
    FakeCond()
    {
        mImpl = &v;
    }
};

class NetworkImpl : public GenVNetworkDefinition
{
public:
    Network* net{nullptr};
    std::vector<std::unique_ptr<Tensor>> inputs;
    std::vector<std::unique_ptr<Layer>> layers;
    std::vector<ITensor*> outputs;
    std::vector<std::unique_ptr<FakeLoop>> loops;
    std::vector<std::unique_ptr<FakeCond>> conds;
    int32_t regions{0};

    ILoop* addLoop() noexcept override
    {
        auto* l = new FakeLoop();
        l->v.net = this;
        l->v.id = ++regions;
        loops.emplace_back(l);
        return l;
    }

    IIfConditional* addIfConditional() noexcept override
    {
        auto* c = new FakeCond();
        c->v.net = this;
        c->v.id = ++regions;
        conds.emplace_back(c);
        return c;
    }

    bool nullAdd(char const* method)
    {
        return env("TRTC_FAKE_NULL_ADD") == method;
    }

    // add appends layer l (inputs given) with outputs: those fed by the
    // test for the next layer, else of type t and dims d.
    template <typename T>
    T* add(T* l, std::vector<ITensor*> ins, std::vector<std::pair<DataType, Dims>> outs)
    {
        l->inputs = std::move(ins);
        for (auto& o : outs)
        {
            if (!gFeed.empty())
            {
                o = {gFeed.front().type, gFeed.front().dims};
                gFeed.pop_front();
            }
            l->addOutput(o.first, o.second);
        }
        layers.emplace_back(l);
        return l;
    }

    int32_t getNbLayers() const noexcept override
    {
        return static_cast<int32_t>(layers.size());
    }
    ILayer* getLayer(int32_t i) const noexcept override
    {
        return i >= 0 && static_cast<size_t>(i) < layers.size() ? layers[static_cast<size_t>(i)]->self : nullptr;
    }

    static std::pair<DataType, Dims> like(ITensor& t)
    {
        return {implOf(t).type, implOf(t).dims};
    }

    ITensor* addInput(char const* name, DataType type, Dims const& dims) noexcept override
    {
        if (nullAdd("addInput"))
            return nullptr;
        std::unique_ptr<Tensor> t(new Tensor());
        t->impl.name = name;
        t->impl.type = type;
        t->impl.dims = dims;
        t->impl.input = true;
        inputs.push_back(std::move(t));
        return inputs.back().get();
    }

    int32_t getNbInputs() const noexcept override
    {
        return static_cast<int32_t>(inputs.size());
    }

    ITensor* getInput(int32_t i) const noexcept override
    {
        return i >= 0 && static_cast<size_t>(i) < inputs.size() ? inputs[static_cast<size_t>(i)].get() : nullptr;
    }

    void markOutput(ITensor& t) noexcept override
    {
        implOf(t).output = true;
        outputs.push_back(&t);
    }

    IActivationLayer* addActivation(ITensor& x, ActivationType type) noexcept override
    {
        if (nullAdd("addActivation"))
            return nullptr;
        auto* l = add(new L<IActivationLayer, GenVActivationLayer>(LayerType::kACTIVATION), {&x}, {like(x)});
        l->set("operation", json(type));
        return l;
    }

    ISoftMaxLayer* addSoftMax(ITensor& x) noexcept override
    {
        return add(new L<ISoftMaxLayer, GenVSoftMaxLayer>(LayerType::kSOFTMAX), {&x}, {like(x)});
    }

    IConcatenationLayer* addConcatenation(ITensor* const* xs, int32_t n) noexcept override
    {
        std::vector<ITensor*> ins(xs, xs + n);
        return add(new L<IConcatenationLayer, GenVConcatenationLayer>(LayerType::kCONCATENATION), ins, {like(*xs[0])});
    }

    IElementWiseLayer* addElementWise(ITensor& a, ITensor& b, ElementWiseOperation op) noexcept override
    {
        if (nullAdd("addElementWise"))
            return nullptr;
        auto out = like(a);
        if (op == ElementWiseOperation::kEQUAL || op == ElementWiseOperation::kGREATER || op == ElementWiseOperation::kLESS)
        {
            out.first = DataType::kBOOL;
        }
        auto* l = add(new L<IElementWiseLayer, GenVElementWiseLayer>(LayerType::kELEMENTWISE), {&a, &b}, {out});
        l->set("operation", json(op));
        return l;
    }

    IUnaryLayer* addUnary(ITensor& x, UnaryOperation op) noexcept override
    {
        if (nullAdd("addUnary"))
            return nullptr;
        auto* l = add(new L<IUnaryLayer, GenVUnaryLayer>(LayerType::kUNARY), {&x}, {like(x)});
        l->set("operation", json(op));
        return l;
    }

    IShuffleLayer* addShuffle(ITensor& x) noexcept override
    {
        auto* l = add(new L<IShuffleLayer, GenVShuffleLayer>(LayerType::kSHUFFLE), {&x}, {like(x)});
        l->shapeInputs = {1};
        return l;
    }

    IReduceLayer* addReduce(ITensor& x, ReduceOperation op, uint32_t axes, bool keep) noexcept override
    {
        auto* l = add(new L<IReduceLayer, GenVReduceLayer>(LayerType::kREDUCE), {&x}, {like(x)});
        l->set("operation", json(op));
        l->set("axes", json(axes));
        l->set("keep_dimensions", json(keep));
        return l;
    }

    ITopKLayer* topK(ITensor& x, TopKOperation op, int32_t k, uint32_t axes, DataType indices)
    {
        auto* l = add(new L<ITopKLayer, GenVTopKLayer>(LayerType::kTOPK), {&x}, {like(x), {indices, implOf(x).dims}});
        l->set("operation", json(op));
        l->set("k", json(k));
        l->set("axes", json(axes));
        l->set("indices_type", json(indices));
        return l;
    }

    ITopKLayer* addTopK(ITensor& x, TopKOperation op, int32_t k, uint32_t axes) noexcept override
    {
        return topK(x, op, k, axes, DataType::kINT32);
    }

#if FAKE_TRT_AT_LEAST(10, 14)
    ITopKLayer* addTopKV2(ITensor& x, TopKOperation op, int32_t k, uint32_t axes, DataType indices) noexcept override
    {
        event("addTopKV2");
        return topK(x, op, k, axes, indices);
    }
#endif

    IGatherLayer* addGatherV2(ITensor& data, ITensor& indices, GatherMode mode) noexcept override
    {
        auto* l = add(new L<IGatherLayer, GenVGatherLayer>(LayerType::kGATHER), {&data, &indices}, {like(data)});
        l->set("mode", json(mode));
        return l;
    }

    IMatrixMultiplyLayer* addMatrixMultiply(ITensor& a, MatrixOperation opA, ITensor& b, MatrixOperation opB) noexcept override
    {
        auto* l = add(new L<IMatrixMultiplyLayer, GenVMatrixMultiplyLayer>(LayerType::kMATRIX_MULTIPLY), {&a, &b}, {like(a)});
        l->set("operation0", json(opA));
        l->set("operation1", json(opB));
        return l;
    }

    IConstantLayer* addConstant(Dims const& dims, Weights w) noexcept override
    {
        auto* l = add(new L<IConstantLayer, GenVConstantLayer>(LayerType::kCONSTANT), {}, {{w.type, dims}});
        l->set("dimensions", json(dims));
        l->set("dtype", json(w.type));
        l->set("weights", json(w));
        return l;
    }

    IIdentityLayer* addIdentity(ITensor& x) noexcept override
    {
        return add(new L<IIdentityLayer, GenVIdentityLayer>(LayerType::kIDENTITY), {&x}, {like(x)});
    }

    ISliceLayer* addSlice(ITensor& x, Dims const& start, Dims const& size, Dims const& stride) noexcept override
    {
        auto* l = add(new L<ISliceLayer, GenVSliceLayer>(LayerType::kSLICE), {&x}, {{implOf(x).type, size}});
        l->set("start", json(start));
        l->set("size", json(size));
        l->set("stride", json(stride));
        l->shapeInputs = {1, 2, 3, 5};
        return l;
    }

    IShapeLayer* addShape(ITensor& x) noexcept override
    {
        Dims d{};
        d.nbDims = 1;
        d.d[0] = implOf(x).dims.nbDims;
        auto* l = add(new L<IShapeLayer, GenVShapeLayer>(LayerType::kSHAPE), {&x}, {{DataType::kINT64, d}});
        l->outputs[0]->impl.shape = true;
        return l;
    }

    template <typename I, typename G>
    I* conv(LayerType t, ITensor& x, int64_t maps, Dims const& kernel, Weights k, Weights b)
    {
        auto* l = add(new L<I, G>(t), {&x}, {like(x)});
        l->set("nb_output_maps", json(maps));
        l->set("kernel_size_nd", json(kernel));
        l->set("kernel_weights", json(k));
        l->set("bias_weights", json(b));
        return l;
    }

    IConvolutionLayer* addConvolutionNd(ITensor& x, int64_t maps, Dims const& kernel, Weights k, Weights b) noexcept override
    {
        return conv<IConvolutionLayer, GenVConvolutionLayer>(LayerType::kCONVOLUTION, x, maps, kernel, k, b);
    }

    IDeconvolutionLayer* addDeconvolutionNd(ITensor& x, int64_t maps, Dims const& kernel, Weights k, Weights b) noexcept override
    {
        return conv<IDeconvolutionLayer, GenVDeconvolutionLayer>(LayerType::kDECONVOLUTION, x, maps, kernel, k, b);
    }

    IPoolingLayer* addPoolingNd(ITensor& x, PoolingType type, Dims const& window) noexcept override
    {
        auto* l = add(new L<IPoolingLayer, GenVPoolingLayer>(LayerType::kPOOLING), {&x}, {like(x)});
        l->set("operation", json(type));
        l->set("window_size_nd", json(window));
        return l;
    }

    IResizeLayer* addResize(ITensor& x) noexcept override
    {
        auto* l = add(new L<IResizeLayer, ResizeImpl>(LayerType::kRESIZE), {&x}, {like(x)});
        l->shapeInputs = {1};
        return l;
    }

    ISelectLayer* addSelect(ITensor& c, ITensor& a, ITensor& b) noexcept override
    {
        return add(new L<ISelectLayer, GenVSelectLayer>(LayerType::kSELECT), {&c, &a, &b}, {like(a)});
    }

    IFillLayer* addFillV2(Dims const& dims, FillOperation op, DataType type) noexcept override
    {
        auto* l = add(new L<IFillLayer, GenVFillLayer>(LayerType::kFILL), {}, {{type, dims}});
        l->set("dimensions", json(dims));
        l->set("mode", json(op));
        l->set("dtype", json(type));
        l->shapeInputs = {0};
        return l;
    }

    IScatterLayer* addScatter(ITensor& data, ITensor& indices, ITensor& updates, ScatterMode mode) noexcept override
    {
        auto* l = add(new L<IScatterLayer, GenVScatterLayer>(LayerType::kSCATTER), {&data, &indices, &updates}, {like(data)});
        l->set("mode", json(mode));
        return l;
    }

    INormalizationLayer* norm(ITensor& x, ITensor& s, ITensor& b, uint32_t axes)
    {
        auto* l = add(new L<INormalizationLayer, GenVNormalizationLayer>(LayerType::kNORMALIZATION), {&x, &s, &b}, {like(x)});
        l->set("axes", json(axes));
        return l;
    }

    INormalizationLayer* addNormalization(ITensor& x, ITensor& s, ITensor& b, uint32_t axes) noexcept override
    {
        return norm(x, s, b, axes);
    }

#if FAKE_TRT_AT_LEAST(10, 15)
    INormalizationLayer* addNormalizationV2(ITensor& x, ITensor& s, ITensor& b, uint32_t axes) noexcept override
    {
        event("addNormalizationV2");
        return norm(x, s, b, axes);
    }
#endif

    IEinsumLayer* addEinsum(ITensor* const* xs, int32_t n, char const* equation) noexcept override
    {
        std::vector<ITensor*> ins(xs, xs + n);
        auto* l = add(new L<IEinsumLayer, GenVEinsumLayer>(LayerType::kEINSUM), ins, {like(*xs[0])});
        l->set("equation", json(equation));
        return l;
    }

    IOneHotLayer* addOneHot(ITensor& indices, ITensor& values, ITensor& depth, int32_t axis) noexcept override
    {
        auto* l = add(new L<IOneHotLayer, GenVOneHotLayer>(LayerType::kONE_HOT), {&indices, &values, &depth},
            {{implOf(values).type, implOf(indices).dims}});
        l->set("axis", json(axis));
        return l;
    }

    ICastLayer* addCast(ITensor& x, DataType to) noexcept override
    {
        auto* l = add(new L<ICastLayer, GenVCastLayer>(LayerType::kCAST), {&x}, {{to, implOf(x).dims}});
        l->set("dtype", json(to));
        return l;
    }

    IPluginV3Layer* addPluginV3(ITensor* const* xs, int32_t n, ITensor* const* shapeXs, int32_t nShape, IPluginV3& plugin) noexcept override
    {
        auto* p = dynamic_cast<FakePlugin*>(&plugin);
        if (p == nullptr || n < 1 || xs == nullptr || nShape != 0 || shapeXs != nullptr)
        {
            unexpected("VNetworkDefinition::addPluginV3 with a plugin the fake did not make, no inputs, or shape inputs");
            return nullptr;
        }
        std::vector<ITensor*> ins(xs, xs + n);
        auto* l = add(new L<IPluginV3Layer, GenVPluginV3Layer>(LayerType::kPLUGIN_V3), ins, {like(*xs[0])});
        l->set("creator", jsonString(p->creator.c_str()));
        l->set("version", jsonString(p->version.c_str()));
        l->set("namespace", jsonString(p->ns.c_str()));
        l->set("fields", p->fields);
        return l;
    }

#if FAKE_TRT_AT_LEAST(10, 15)
    IRotaryEmbeddingLayer* addRotaryEmbedding(ITensor& x, ITensor& cosCache, ITensor& sinCache, bool interleaved, int32_t dim) noexcept override
    {
        event("addRotaryEmbedding");
        auto* l = add(new L<IRotaryEmbeddingLayer, GenVRotaryEmbeddingLayer>(LayerType::kROTARY_EMBEDDING), {&x, &cosCache, &sinCache}, {like(x)});
        l->set("interleaved", json(interleaved));
        l->set("rotary_embedding_dim", json(dim));
        return l;
    }
#endif
    IQuantizeLayer* addQuantizeV2(ITensor& x, ITensor& scale, DataType to) noexcept override
    {
        auto* l = add(new L<IQuantizeLayer, GenVQuantizeLayer>(LayerType::kQUANTIZE), {&x, &scale}, {{to, implOf(x).dims}});
        l->set("to_type", json(to));
        return l;
    }

    IDequantizeLayer* addDequantizeV2(ITensor& x, ITensor& scale, DataType to) noexcept override
    {
        auto* l = add(new L<IDequantizeLayer, GenVDequantizeLayer>(LayerType::kDEQUANTIZE), {&x, &scale}, {{to, implOf(x).dims}});
        l->set("to_type", json(to));
        return l;
    }

#if FAKE_TRT_AT_LEAST(10, 8)
    ICumulativeLayer* addCumulative(ITensor& x, ITensor& axis, CumulativeOperation op, bool exclusive, bool reverse) noexcept override
    {
        event("addCumulative");
        auto* l = add(new L<ICumulativeLayer, GenVCumulativeLayer>(LayerType::kCUMULATIVE), {&x, &axis}, {like(x)});
        l->set("operation", json(op));
        l->set("exclusive", json(exclusive));
        l->set("reverse", json(reverse));
        return l;
    }
#endif

    // plan is the fake's serialized engine: its I/O, profiles and the
    // recorded layers.
    std::string layersJson() const
    {
        std::string out = "[";
        for (size_t i = 0; i < layers.size(); ++i)
        {
            out += (i > 0 ? "," : "") + layers[i]->json();
        }
        return out + "]";
    }
};

IRecurrenceLayer* LoopV::addRecurrence(ITensor& init) noexcept
{
    auto* l = net->add(new BL<IRecurrenceLayer, GenVRecurrenceLayer, GenVLoopBoundaryLayer>(LayerType::kRECURRENCE), {&init},
        {NetworkImpl::like(init)});
    l->set("loop", json(id));
    return l;
}

ITripLimitLayer* LoopV::addTripLimit(ITensor& t, TripLimit kind) noexcept
{
    auto* l = net->add(new BL<ITripLimitLayer, GenVTripLimitLayer, GenVLoopBoundaryLayer>(LayerType::kTRIP_LIMIT), {&t}, {});
    l->set("trip_limit", json(kind));
    l->set("loop", json(id));
    return l;
}

IIteratorLayer* LoopV::addIterator(ITensor& t, int32_t axis, bool reverse) noexcept
{
    Dims d = implOf(t).dims;
    if (d.nbDims > 0 && axis >= 0 && axis < d.nbDims)
    {
        for (int32_t i = axis; i + 1 < d.nbDims; ++i)
        {
            d.d[i] = d.d[i + 1];
        }
        --d.nbDims;
    }
    auto* l = net->add(new BL<IIteratorLayer, GenVIteratorLayer, GenVLoopBoundaryLayer>(LayerType::kITERATOR), {&t},
        {{implOf(t).type, d}});
    l->set("axis", json(axis));
    l->set("reverse", json(reverse));
    l->set("loop", json(id));
    return l;
}

ILoopOutputLayer* LoopV::addLoopOutput(ITensor& t, LoopOutput kind, int32_t axis) noexcept
{
    auto* l = net->add(new BL<ILoopOutputLayer, GenVLoopOutputLayer, GenVLoopBoundaryLayer>(LayerType::kLOOP_OUTPUT), {&t},
        {NetworkImpl::like(t)});
    l->set("loop_output", json(kind));
    if (kind != LoopOutput::kLAST_VALUE)
    {
        l->set("axis", json(axis));
    }
    l->set("loop", json(id));
    l->shapeInputs = {1}; // the concatenation length, setInput(1, ...)
    return l;
}

IConditionLayer* CondV::setCondition(ITensor& cond) noexcept
{
    auto* l = net->add(new BL<IConditionLayer, GenVConditionLayer, GenVConditionalBoundaryLayer>(LayerType::kCONDITION), {&cond}, {});
    l->set("conditional", json(id));
    return l;
}

IIfConditionalInputLayer* CondV::addInput(ITensor& t) noexcept
{
    auto* l = net->add(new BL<IIfConditionalInputLayer, GenVConditionalInputLayer, GenVConditionalBoundaryLayer>(LayerType::kCONDITIONAL_INPUT),
        {&t}, {NetworkImpl::like(t)});
    l->set("conditional", json(id));
    return l;
}

IIfConditionalOutputLayer* CondV::addOutput(ITensor& t, ITensor& f) noexcept
{
    auto* l = net->add(new BL<IIfConditionalOutputLayer, GenVConditionalOutputLayer, GenVConditionalBoundaryLayer>(LayerType::kCONDITIONAL_OUTPUT),
        {&t, &f}, {NetworkImpl::like(t)});
    l->set("conditional", json(id));
    return l;
}

class Network : public INetworkDefinition
{
public:
    NetworkImpl impl;
    Network()
    {
        mImpl = &impl;
        impl.net = this;
    }
};

class HostMemoryImpl : public GenVHostMemory
{
public:
    std::string bytes;
    void* data() const noexcept override
    {
        return const_cast<char*>(bytes.data());
    }
    std::size_t size() const noexcept override
    {
        return bytes.size();
    }
    DataType type() const noexcept override
    {
        return DataType::kUINT8;
    }
};

class HostMemory : public IHostMemory
{
public:
    HostMemoryImpl impl;
    explicit HostMemory(std::string b)
    {
        impl.bytes = std::move(b);
        mImpl = &impl;
    }
};

// Live timing caches, so that a builder config can tell whether the cache
// it references still exists.
std::set<void const*> gLiveCaches;

class TimingCacheImpl : public GenVTimingCache
{
public:
    std::string data;
    IHostMemory* serialize() const noexcept override
    {
        return new HostMemory(data);
    }
};

class TimingCache : public ITimingCache
{
public:
    TimingCacheImpl impl;
    TimingCache()
    {
        mImpl = &impl;
        std::lock_guard<std::mutex> lock(gMu);
        gLiveCaches.insert(this);
    }
    ~TimingCache() override
    {
        std::lock_guard<std::mutex> lock(gMu);
        gLiveCaches.erase(this);
    }
};

// Profile values: per input, per selector (MIN, OPT, MAX).
struct ProfileData
{
    std::map<std::string, std::vector<Dims>> dims;
    std::map<std::string, std::vector<std::vector<int64_t>>> values;
};

class ProfileImpl : public GenVOptimizationProfile
{
public:
    ProfileData p;
    bool setDimensions(char const* name, OptProfileSelector s, Dims const& d) noexcept override
    {
        auto& v = p.dims[name];
        v.resize(3, noDims());
        v[static_cast<size_t>(s)] = d;
        return true;
    }
    bool setValues(char const* name, OptProfileSelector s, std::vector<int64_t> vals)
    {
        auto& v = p.values[name];
        v.resize(3);
        v[static_cast<size_t>(s)] = std::move(vals);
        return true;
    }
#if !FAKE_TRT_AT_LEAST(11, 0)
    bool setShapeValues(char const* name, OptProfileSelector s, int32_t const* vals, int32_t n) noexcept override
    {
        event(std::string("setShapeValues ") + name);
        return setValues(name, s, std::vector<int64_t>(vals, vals + n));
    }
#endif
#if FAKE_TRT_AT_LEAST(10, 11)
    bool setShapeValuesV2(char const* name, OptProfileSelector s, int64_t const* vals, int32_t n) noexcept override
    {
        event(std::string("setShapeValuesV2 ") + name);
        return setValues(name, s, std::vector<int64_t>(vals, vals + n));
    }
#endif
};

class Profile : public IOptimizationProfile
{
public:
    ProfileImpl impl;
    Profile()
    {
        mImpl = &impl;
    }
};

class ConfigImpl : public GenVBuilderConfig
{
public:
    ITimingCache const* cache{nullptr};
    std::vector<IOptimizationProfile const*> profiles;
    std::vector<std::pair<std::string, std::string>> settings;

    ~ConfigImpl() override
    {
        std::lock_guard<std::mutex> lock(gMu);
        if (cache != nullptr && gLiveCaches.count(cache) == 0)
        {
            gEvents.push_back("error: the timing cache was destroyed while a builder config referenced it");
        }
    }
    void setMemoryPoolLimit(MemoryPoolType pool, std::size_t size) noexcept override
    {
        settings.emplace_back(std::string("memory_pool_limit ") + enumName(pool), std::to_string(size));
    }
    void setBuilderOptimizationLevel(int32_t level) noexcept override
    {
        settings.emplace_back("builder_optimization_level", std::to_string(level));
    }
    void setHardwareCompatibilityLevel(HardwareCompatibilityLevel l) noexcept override
    {
        settings.emplace_back("hardware_compatibility_level", enumName(l));
    }
    void setFlag(BuilderFlag f) noexcept override
    {
        settings.emplace_back("flag", enumName(f));
    }
    ITimingCache* createTimingCache(void const* blob, std::size_t size) const noexcept override
    {
        auto* c = new TimingCache();
        if (blob != nullptr)
        {
            c->impl.data.assign(static_cast<char const*>(blob), size);
        }
        c->impl.data += "+";
        return c;
    }
    bool setTimingCache(ITimingCache const& c, bool) noexcept override
    {
        cache = &c;
        return true;
    }
    int32_t addOptimizationProfile(IOptimizationProfile const* p) noexcept override
    {
        profiles.push_back(p);
        return static_cast<int32_t>(profiles.size()) - 1;
    }
};

class Config : public IBuilderConfig
{
public:
    ConfigImpl impl;
    Config()
    {
        mImpl = &impl;
    }
};

void appendDims(std::ostringstream& o, Dims const& d)
{
    o << ' ' << d.nbDims;
    for (int32_t i = 0; i < d.nbDims; ++i)
    {
        o << ' ' << d.d[i];
    }
}

class BuilderImpl : public GenVBuilder
{
public:
    ILogger* logger{nullptr};
    INetworkDefinition* createNetworkV2(NetworkDefinitionCreationFlags flags) noexcept override
    {
        event("createNetworkV2 flags " + std::to_string(flags));
        return new Network();
    }
    IBuilderConfig* createBuilderConfig() noexcept override
    {
        return new Config();
    }
    IOptimizationProfile* createOptimizationProfile() noexcept override
    {
        profiles.emplace_back(new Profile());
        return profiles.back().get();
    }
    // buildSerializedNetwork writes the fake plan: a header line, the I/O
    // tensors, the profiles, the config settings, then "layers" and the
    // JSON of the recorded layers.
    IHostMemory* buildSerializedNetwork(INetworkDefinition& network, IBuilderConfig& config) noexcept override
    {
        NetworkImpl& n = static_cast<Network&>(network).impl;
        ConfigImpl& c = static_cast<Config&>(config).impl;
        {
            std::lock_guard<std::mutex> lock(gMu);
            if (c.cache != nullptr && gLiveCaches.count(c.cache) == 0)
            {
                gEvents.push_back("error: build with a timing cache that was destroyed");
            }
        }
        std::ostringstream o;
        o << "TRTCFAKE\n";
        for (auto const& in : n.inputs)
        {
            o << "io " << in->impl.name << " 1 " << static_cast<int32_t>(in->impl.type) << ' ' << (in->impl.shape ? 1 : 0);
            appendDims(o, in->impl.dims);
            o << '\n';
            if (in->impl.shape)
            {
                for (size_t pi = 0; pi < c.profiles.size(); ++pi)
                {
                    auto const& pd = static_cast<Profile const*>(c.profiles[pi])->impl.p;
                    if (pd.values.count(in->impl.name) == 0)
                    {
                        event("error: shape tensor input " + in->impl.name + " has no values in profile " + std::to_string(pi));
                        return nullptr;
                    }
                }
            }
        }
        for (ITensor* out : n.outputs)
        {
            TensorImpl& t = implOf(*out);
            o << "io " << t.name << " 0 " << static_cast<int32_t>(t.type) << " 0";
            appendDims(o, t.dims);
            o << '\n';
        }
        for (size_t pi = 0; pi < c.profiles.size(); ++pi)
        {
            auto const& pd = static_cast<Profile const*>(c.profiles[pi])->impl.p;
            for (auto const& d : pd.dims)
            {
                o << "prof " << pi << ' ' << d.first;
                for (Dims const& x : d.second)
                {
                    appendDims(o, x);
                }
                o << '\n';
            }
            for (auto const& v : pd.values)
            {
                o << "vals " << pi << ' ' << v.first;
                for (auto const& x : v.second)
                {
                    o << ' ' << x.size();
                    for (int64_t e : x)
                    {
                        o << ' ' << e;
                    }
                }
                o << '\n';
            }
        }
        for (auto const& s : c.settings)
        {
            o << "set " << s.first << ' ' << s.second << '\n';
        }
        o << "layers\n" << n.layersJson() << '\n';
        return new HostMemory(o.str());
    }
    std::vector<std::unique_ptr<Profile>> profiles;
};

class Builder : public IBuilder
{
public:
    BuilderImpl impl;
    Builder()
    {
        mImpl = &impl;
    }
};

// The fake engine: what the plan says.
struct IOTensor
{
    std::string name;
    bool input;
    DataType type;
    bool shapeIO;
    Dims dims;
};

struct EngineData
{
    std::vector<IOTensor> io;
    int32_t nbProfiles{0};
    std::map<std::pair<int32_t, std::string>, std::vector<Dims>> prof;
    std::map<std::pair<int32_t, std::string>, std::vector<std::vector<int64_t>>> vals;
};

Dims readDims(std::istringstream& in)
{
    Dims d{};
    in >> d.nbDims;
    for (int32_t i = 0; i < d.nbDims && i < Dims::MAX_DIMS; ++i)
    {
        in >> d.d[i];
    }
    return d;
}

bool parsePlan(std::string const& plan, EngineData& e)
{
    std::istringstream lines(plan);
    std::string line;
    if (!std::getline(lines, line) || line != "TRTCFAKE")
    {
        return false;
    }
    while (std::getline(lines, line) && line != "layers")
    {
        std::istringstream in(line);
        std::string kind;
        in >> kind;
        if (kind == "io")
        {
            IOTensor t;
            int32_t input, type, shape;
            in >> t.name >> input >> type >> shape;
            t.input = input != 0;
            t.type = static_cast<DataType>(type);
            t.shapeIO = shape != 0;
            t.dims = readDims(in);
            e.io.push_back(t);
        }
        else if (kind == "prof")
        {
            int32_t p;
            std::string name;
            in >> p >> name;
            for (int s = 0; s < 3; ++s)
            {
                e.prof[{p, name}].push_back(readDims(in));
            }
            e.nbProfiles = std::max(e.nbProfiles, p + 1);
        }
        else if (kind == "vals")
        {
            int32_t p;
            std::string name;
            in >> p >> name;
            for (int s = 0; s < 3; ++s)
            {
                size_t n = 0;
                in >> n;
                std::vector<int64_t> v(n);
                for (auto& x : v)
                {
                    in >> x;
                }
                e.vals[{p, name}].push_back(v);
            }
        }
    }
    return true;
}

std::string dimsText(Dims const& d)
{
    return json(d);
}

class ContextImpl : public GenVExecutionContext
{
public:
    EngineData const* e{nullptr};
    int32_t profile{0};
    std::map<std::string, Dims> shapes;
    std::map<std::string, void const*> addrs;

    IOTensor const* find(char const* name) const
    {
        for (auto const& t : e->io)
        {
            if (t.name == name)
            {
                return &t;
            }
        }
        return nullptr;
    }
    bool setOptimizationProfileAsync(int32_t p, cudaStream_t) noexcept override
    {
        event("setOptimizationProfileAsync " + std::to_string(p));
        if (p < 0 || p >= std::max(e->nbProfiles, 1))
        {
            return false;
        }
        profile = p;
        return true;
    }
    int32_t getOptimizationProfile() const noexcept override
    {
        return profile;
    }
    bool setInputShape(char const* name, Dims const& d) noexcept override
    {
        IOTensor const* t = find(name);
        if (t == nullptr || !t->input || d.nbDims != t->dims.nbDims)
        {
            return false;
        }
        auto it = e->prof.find({profile, name});
        if (it != e->prof.end())
        {
            for (int32_t i = 0; i < d.nbDims; ++i)
            {
                if (d.d[i] < it->second[0].d[i] || d.d[i] > it->second[2].d[i])
                {
                    event(std::string("setInputShape ") + name + " " + dimsText(d) + " refused: outside profile "
                        + std::to_string(profile));
                    return false;
                }
            }
        }
        shapes[name] = d;
        return true;
    }
    Dims getTensorShape(char const* name) const noexcept override
    {
        IOTensor const* t = find(name);
        if (t == nullptr)
        {
            return noDims();
        }
        auto it = shapes.find(name);
        if (it != shapes.end())
        {
            return it->second;
        }
        Dims d = t->dims;
        for (int32_t i = 0; i < d.nbDims; ++i)
        {
            d.d[i] = d.d[i] < 0 ? 1 : d.d[i];
        }
        return d;
    }
    bool setTensorAddress(char const* name, void* p) noexcept override
    {
        IOTensor const* t = find(name);
        if (t == nullptr)
        {
            return false;
        }
        addrs[name] = p;
        if (t->shapeIO)
        {
            event(std::string("host shape input ") + name + " " + hostValues(*t));
        }
        return true;
    }
    // hostValues reads a shape-tensor input's values from the host memory
    // bound to it: at binding and again at enqueue, as TensorRT may (these
    // reads are what AddressSanitizer checks).
    std::string hostValues(IOTensor const& t) const
    {
        auto it = shapes.find(t.name);
        int64_t n = it == shapes.end() ? 0 : it->second.nbDims == 1 ? it->second.d[0] : it->second.nbDims == 0 ? 1 : 0;
        void const* p = addrs.at(t.name);
        std::string v = "[";
        for (int64_t i = 0; i < n; ++i)
        {
            int64_t x = t.type == DataType::kINT64 ? static_cast<int64_t const*>(p)[i] : static_cast<int32_t const*>(p)[i];
            v += (i > 0 ? "," : "") + std::to_string(x);
        }
        return v + "]";
    }
    bool enqueueV3(cudaStream_t) noexcept override
    {
        for (auto const& t : e->io)
        {
            if (t.shapeIO && addrs.count(t.name) != 0)
            {
                event("enqueueV3 reads shape input " + t.name + " " + hostValues(t));
            }
        }
        event("enqueueV3 profile " + std::to_string(profile));
        return true;
    }
};

class Context : public IExecutionContext
{
public:
    ContextImpl impl;
    Context()
    {
        mImpl = &impl;
    }
};

class EngineImpl : public GenVCudaEngine
{
public:
    EngineData d;
    IExecutionContext* createExecutionContext(ExecutionContextAllocationStrategy) noexcept override
    {
        auto* c = new Context();
        c->impl.e = &d;
        return c;
    }
    int32_t getNbIOTensors() const noexcept override
    {
        return static_cast<int32_t>(d.io.size());
    }
    char const* getIOTensorName(int32_t i) const noexcept override
    {
        return i >= 0 && static_cast<size_t>(i) < d.io.size() ? d.io[static_cast<size_t>(i)].name.c_str() : nullptr;
    }
    IOTensor const* find(char const* name) const
    {
        for (auto const& t : d.io)
        {
            if (t.name == name)
            {
                return &t;
            }
        }
        return nullptr;
    }
    TensorIOMode getTensorIOMode(char const* name) const noexcept override
    {
        IOTensor const* t = find(name);
        return t == nullptr ? TensorIOMode::kNONE : t->input ? TensorIOMode::kINPUT : TensorIOMode::kOUTPUT;
    }
    DataType getTensorDataType(char const* name) const noexcept override
    {
        IOTensor const* t = find(name);
        return t == nullptr ? DataType::kFLOAT : t->type;
    }
    Dims getTensorShape(char const* name) const noexcept override
    {
        IOTensor const* t = find(name);
        return t == nullptr ? noDims() : t->dims;
    }
    bool isShapeInferenceIO(char const* name) const noexcept override
    {
        IOTensor const* t = find(name);
        return t != nullptr && t->shapeIO;
    }
    int32_t getNbOptimizationProfiles() const noexcept override
    {
        return std::max(d.nbProfiles, 1);
    }
    Dims getProfileShape(char const* name, int32_t p, OptProfileSelector s) const noexcept override
    {
        auto it = d.prof.find({p, name});
        if (it == d.prof.end())
        {
            IOTensor const* t = find(name);
            return t == nullptr ? noDims() : t->dims;
        }
        return it->second[static_cast<size_t>(s)];
    }
    int64_t const* values(char const* name, int32_t p, OptProfileSelector s) const
    {
        auto it = d.vals.find({p, name});
        return it == d.vals.end() ? nullptr : it->second[static_cast<size_t>(s)].data();
    }
#if !FAKE_TRT_AT_LEAST(11, 0)
    int32_t const* getProfileTensorValues(char const* name, int32_t p, OptProfileSelector s) const noexcept override
    {
        event(std::string("getProfileTensorValues ") + name);
        auto it = d.vals.find({p, name});
        if (it == d.vals.end())
        {
            return nullptr;
        }
        auto& v32 = vals32[{p, name}];
        v32.resize(3);
        auto const& v = it->second[static_cast<size_t>(s)];
        v32[static_cast<size_t>(s)].assign(v.begin(), v.end());
        return v32[static_cast<size_t>(s)].data();
    }
    mutable std::map<std::pair<int32_t, std::string>, std::vector<std::vector<int32_t>>> vals32;
#endif
#if FAKE_TRT_AT_LEAST(10, 11)
    int64_t const* getProfileTensorValuesV2(char const* name, int32_t p, OptProfileSelector s) const noexcept override
    {
        event(std::string("getProfileTensorValuesV2 ") + name);
        return values(name, p, s);
    }
#endif
};

class Engine : public ICudaEngine
{
public:
    EngineImpl impl;
    Engine()
    {
        mImpl = &impl;
    }
};

class RuntimeImpl : public GenVRuntime
{
public:
    ILogger* logger{nullptr};
    bool hostCode{false};
    void setEngineHostCodeAllowed(bool allowed) noexcept override
    {
        event(std::string("setEngineHostCodeAllowed ") + (allowed ? "true" : "false"));
        hostCode = allowed;
    }
    bool getEngineHostCodeAllowed() const noexcept override
    {
        return hostCode;
    }
    ICudaEngine* deserializeCudaEngine(void const* blob, std::size_t size) noexcept override
    {
        std::string plan(static_cast<char const*>(blob), size);
        std::unique_ptr<Engine> e(new Engine());
        if (!parsePlan(plan, e->impl.d))
        {
            logger->log(ILogger::Severity::kERROR, "fake libnvinfer: not a plan of the fake");
            return nullptr;
        }
        if (plan.find("set flag VERSION_COMPATIBLE") != std::string::npos && !hostCode)
        {
            logger->log(ILogger::Severity::kERROR,
                "fake libnvinfer: the engine has host code (version compatible) and the runtime does not allow it");
            return nullptr;
        }
        event("deserializeCudaEngine");
        return e.release();
    }
};

class Runtime : public IRuntime
{
public:
    RuntimeImpl impl;
    Runtime()
    {
        mImpl = &impl;
    }
};

std::string gEventsText;

} // namespace fake

extern "C" int32_t getInferLibVersion() noexcept
{
    char const* v = std::getenv("TRTC_FAKE_NVINFER_VERSION");
    return v != nullptr ? static_cast<int32_t>(std::atoi(v)) : static_cast<int32_t>(NV_TENSORRT_VERSION);
}

extern "C" void* createInferBuilder_INTERNAL(void* logger, int32_t version) noexcept
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "createInferBuilder logger %p", logger);
    fake::event(buf);
    (void) version;
    if (fake::env("TRTC_FAKE_NVINFER_FAIL") == "1")
    {
        static_cast<ILogger*>(logger)->log(ILogger::Severity::kERROR, "fake libnvinfer: no CUDA-capable device is detected");
        return nullptr;
    }
    auto* b = new fake::Builder();
    b->impl.logger = static_cast<ILogger*>(logger);
    return static_cast<IBuilder*>(b);
}

extern "C" void* createInferRuntime_INTERNAL(void* logger, int32_t version) noexcept
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "createInferRuntime logger %p", logger);
    fake::event(buf);
    (void) version;
    if (fake::env("TRTC_FAKE_NVINFER_FAIL") == "1")
    {
        static_cast<ILogger*>(logger)->log(ILogger::Severity::kWARNING, "fake libnvinfer: CUDA initialization failure");
        static_cast<ILogger*>(logger)->log(ILogger::Severity::kINFO, "fake libnvinfer: not kept (info)");
        return nullptr;
    }
    auto* r = new fake::Runtime();
    r->impl.logger = static_cast<ILogger*>(logger);
    return static_cast<IRuntime*>(r);
}

// Test hooks (cgo/tensorrt's fakenvinfer build declares them).

// trtc_fake_events returns the events recorded since the last call and
// clears them, one per line. The text lives until the next call.
extern "C" char const* trtc_fake_events(void)
{
    std::lock_guard<std::mutex> lock(fake::gMu);
    fake::gEventsText.clear();
    for (auto const& e : fake::gEvents)
    {
        fake::gEventsText += e + "\n";
    }
    fake::gEvents.clear();
    return fake::gEventsText.c_str();
}

// trtc_fake_feed_output sets the type and dims of the next output the fake
// creates (outputs are consumed in order, across layers).
extern "C" void trtc_fake_feed_output(int32_t dtype, int32_t nb, int64_t const* d)
{
    fake::Fed f{static_cast<DataType>(dtype), Dims{}};
    f.dims.nbDims = nb;
    for (int32_t i = 0; i < nb && i < Dims::MAX_DIMS; ++i)
    {
        f.dims.d[i] = d[i];
    }
    fake::gFeed.push_back(f);
}

extern "C" void trtc_fake_feed_clear(void)
{
    fake::gFeed.clear();
}

// getPluginRegistry (NvInferRuntime.h) is the fake's registry, or null
// with TRTC_FAKE_NVINFER_FAIL=1 (a broken installation).
extern "C" nvinfer1::IPluginRegistry* getPluginRegistry() noexcept
{
    if (fake::env("TRTC_FAKE_NVINFER_FAIL") == "1")
    {
        return nullptr;
    }
    return fake::registry();
}

// trtc_fake_register_creator adds an IPluginCreatorV3One to the registry;
// fields is "name:type,name:type" with PluginFieldType values. Registering
// the same name, version and namespace again replaces its fields.
extern "C" void trtc_fake_register_creator(char const* name, char const* version, char const* ns, char const* fields)
{
    fake::FakeRegistry* r = fake::registry();
    fake::FakeCreator* c = nullptr;
    for (auto& e : r->creators)
    {
        if (e->name == name && e->version == version && e->ns == ns)
        {
            c = e.get();
        }
    }
    if (c == nullptr)
    {
        r->creators.emplace_back(new fake::FakeCreator());
        c = r->creators.back().get();
        c->name = name;
        c->version = version;
        c->ns = ns;
        r->list.push_back(c);
    }
    c->fieldNames.clear();
    c->fieldList.clear();
    std::vector<std::pair<std::string, int32_t>> parsed;
    std::stringstream ss(fields != nullptr ? fields : "");
    std::string item;
    while (std::getline(ss, item, ','))
    {
        size_t colon = item.rfind(':');
        if (colon == std::string::npos)
        {
            continue;
        }
        parsed.emplace_back(item.substr(0, colon), std::atoi(item.c_str() + colon + 1));
    }
    c->fieldNames.reserve(parsed.size());
    for (auto& p : parsed)
    {
        c->fieldNames.push_back(p.first);
    }
    for (size_t i = 0; i < parsed.size(); ++i)
    {
        c->fieldList.emplace_back(c->fieldNames[i].c_str(), nullptr, static_cast<nvinfer1::PluginFieldType>(parsed[i].second), 0);
    }
    c->fc.nbFields = static_cast<int32_t>(c->fieldList.size());
    c->fc.fields = c->fieldList.empty() ? nullptr : c->fieldList.data();
}
