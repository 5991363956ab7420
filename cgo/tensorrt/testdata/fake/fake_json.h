// fake_json.h: what the generated part of the recording fake
// (fake_gen.h, written by cgo/tensorrt/internal/genfake) needs: the Owner
// that a layer's generated setters record into, the report of a call the
// fake does not implement, and JSON text for each argument type.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>

namespace fake
{
using namespace nvinfer1;

// Owner receives the settings of one layer (its generated V*Layer setters).
struct Owner
{
    virtual ~Owner() = default;
    virtual void set(char const* name, std::string json) = 0;
};

// unexpected records a call of a TensorRT method the fake does not
// implement (fake_nvinfer.cpp); tests fail on any.
void unexpected(char const* what);

std::string jsonString(char const* s);
std::string dtypeName(DataType t);

inline std::string json(bool v)
{
    return v ? "true" : "false";
}

// Non-finite numbers have no JSON form: they are the strings "inf",
// "-inf" and "nan".
inline std::string nonFinite(double v)
{
    return v != v ? "\"nan\"" : v > 0 ? "\"inf\"" : "\"-inf\"";
}

inline std::string json(float v)
{
    if (!(v == v) || v > 3.4e38f || v < -3.4e38f)
    {
        return nonFinite(static_cast<double>(v));
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    return buf;
}

inline std::string json(double v)
{
    if (!(v == v) || v > 1.7e308 || v < -1.7e308)
    {
        return nonFinite(v);
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

inline std::string json(char const* s)
{
    return jsonString(s);
}

inline std::string json(DataType t)
{
    return jsonString(dtypeName(t).c_str());
}

template <typename T, typename std::enable_if<std::is_integral<T>::value && !std::is_same<T, bool>::value, int>::type = 0>
std::string json(T v)
{
    return std::to_string(v);
}

template <typename E, typename std::enable_if<std::is_enum<E>::value && !std::is_same<E, DataType>::value, int>::type = 0>
std::string json(E v)
{
    return jsonString(enumName(v));
}

inline std::string json(Dims const& d)
{
    if (d.nbDims < 0)
    {
        return "null";
    }
    std::string out = "[";
    for (int32_t i = 0; i < d.nbDims && i < Dims::MAX_DIMS; ++i)
    {
        out += (i > 0 ? "," : "") + std::to_string(d.d[i]);
    }
    return out + "]";
}

inline std::string json(Permutation const& p)
{
    std::string out = "[";
    for (int32_t i = 0; i < Dims::MAX_DIMS; ++i)
    {
        out += (i > 0 ? "," : "") + std::to_string(p.order[i]);
    }
    return out + "]";
}

std::string json(Weights const& w);

// Anything else (pointers to TensorRT objects, ...): recorded as "?", which
// no reference description contains, so a comparison names it.
template <typename T,
    typename std::enable_if<!std::is_integral<T>::value && !std::is_enum<T>::value && !std::is_floating_point<T>::value, int>::type
    = 0>
std::string json(T const&)
{
    return "\"?\"";
}

} // namespace fake
