/*
 * shim.h: trtc's plain C interface over TensorRT's C++ API (NvInfer).
 *
 * Rules, which shim.cpp keeps for every function:
 *   - Every function returns a trtc_status. code 0 is success; otherwise msg
 *     says what failed, followed by the errors and warnings that TensorRT's
 *     logger reported during the call. There is no thread-local "last error":
 *     Go moves goroutines between threads between cgo calls.
 *   - No C++ exception crosses this interface: each function body runs inside
 *     a try/catch that turns an exception into a status.
 *   - Handles are opaque. Tensors (trtc_tensor) are owned by their builder's
 *     network and live as long as it.
 *   - Pointers passed in (names, weights, dims, plans, timing caches) are read
 *     during the call only. Weights are copied into memory the builder owns,
 *     because TensorRT reads them at build time. No caller pointer is kept.
 *   - Enum arguments are TensorRT's values (nvinfer1::ElementWiseOperation,
 *     DataType, ...), passed through unchanged; shim.cpp checks at compile
 *     time that they equal trtc's (enumcheck.h).
 *
 * Nothing here has been run against a real libnvinfer: see docs/tensorrt.md.
 */
#ifndef TRTC_SHIM_H
#define TRTC_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	TRTC_OK = 0,
	TRTC_ERR_TENSORRT = 1,  /* TensorRT refused (null result or false) */
	TRTC_ERR_EXCEPTION = 2, /* a C++ exception was caught */
	TRTC_ERR_ARGUMENT = 3,  /* a bad argument, found before TensorRT was called */
	TRTC_ERR_VERSION = 4    /* the TensorRT library or headers lack what is asked */
};

#define TRTC_MSG_LEN 2048
#define TRTC_MAX_DIMS 8

typedef struct {
	int32_t code;
	char msg[TRTC_MSG_LEN];
} trtc_status;

typedef struct {
	int32_t nb; /* -1: absent */
	int64_t d[TRTC_MAX_DIMS];
} trtc_dims;

typedef struct trtc_builder trtc_builder;
typedef struct trtc_tensor trtc_tensor;
typedef struct trtc_blob trtc_blob;
typedef struct trtc_engine trtc_engine;

/* A layer output: the tensor and what TensorRT inferred for it. */
typedef struct {
	trtc_tensor *tensor;
	int32_t dtype;
	trtc_dims dims;
} trtc_out;

/* Versions: of the linked libnvinfer (getInferLibVersion) and of the
 * headers trtc was compiled against (NV_TENSORRT_VERSION). APIs that a 10.x
 * release after 10.0 added are called only when both have them (shim.cpp's
 * kApiMin table); otherwise the call fails with TRTC_ERR_VERSION. */
trtc_status trtc_version(int32_t *linked, int32_t *compiled);

/* trtc_debug_throw throws a C++ exception of kind what (1 std::runtime_error,
 * 2 std::bad_alloc, 3 a non-standard type) inside the guard every function
 * uses, so tests check that it becomes a status. */
trtc_status trtc_debug_throw(int32_t what);

/* Builder: IBuilder, its strongly typed INetworkDefinition and
 * IBuilderConfig, a logger, and the weights copied so far. */
/* trtc_builder_create makes a builder, its config and a network: strongly
 * typed (NetworkDefinitionCreationFlag::kSTRONGLY_TYPED) when
 * strongly_typed is non-zero, else weakly typed; TensorRT 11 has only
 * strongly typed networks and refuses strongly_typed == 0. */
trtc_status trtc_builder_create(trtc_builder **out, int32_t strongly_typed);
void trtc_builder_destroy(trtc_builder *b);

trtc_status trtc_add_input(trtc_builder *b, const char *name, int32_t dtype, trtc_dims dims, trtc_out *out);
/* trtc_mark_output names t and marks it an output. A network input or an
 * already marked tensor gets an identity layer first (TensorRT tensors have
 * one name). */
trtc_status trtc_mark_output(trtc_builder *b, trtc_tensor *t, const char *name);

/* Layers. name is the layer's name; the outputs are named name_outN. A
 * layer TensorRT returns null for, or whose outputs it cannot shape
 * (nbDims -1), fails with TRTC_ERR_TENSORRT naming the layer. */
trtc_status trtc_add_elementwise(trtc_builder *b, const char *name, trtc_tensor *x, trtc_tensor *y, int32_t op, trtc_out *out);
trtc_status trtc_add_activation(trtc_builder *b, const char *name, trtc_tensor *x, int32_t type, float alpha, float beta, trtc_out *out);
trtc_status trtc_add_unary(trtc_builder *b, const char *name, trtc_tensor *x, int32_t op, trtc_out *out);
trtc_status trtc_add_constant(trtc_builder *b, const char *name, int32_t dtype, trtc_dims dims, const void *data, int64_t nbytes, trtc_out *out);
trtc_status trtc_add_matrix_multiply(trtc_builder *b, const char *name, trtc_tensor *x, int32_t opx, trtc_tensor *y, int32_t opy, trtc_out *out);

typedef struct {
	int64_t nb_output_maps;
	trtc_dims kernel_size, stride, pre_padding, post_padding, dilation; /* nb -1: default */
	int64_t nb_groups;
	int32_t weights_dtype;
} trtc_conv_params;
/* kernel and bias are copied; bias may be NULL with bias_bytes 0. With a
 * kernel tensor kernel_t (not NULL), the kernel weights are empty (kernel
 * NULL, kernel_bytes 0) and setInput(1, kernel_t) gives the kernel: a
 * dequantized weight tensor. */
trtc_status trtc_add_convolution(trtc_builder *b, const char *name, trtc_tensor *x, trtc_conv_params p,
	const void *kernel, int64_t kernel_bytes, trtc_tensor *kernel_t, const void *bias, int64_t bias_bytes, trtc_out *out);

/* Deconvolution (addDeconvolutionNd) takes the convolution's settings; its
 * kernel is [C, K/groups, kernel...]. */
trtc_status trtc_add_deconvolution(trtc_builder *b, const char *name, trtc_tensor *x, trtc_conv_params p,
	const void *kernel, int64_t kernel_bytes, const void *bias, int64_t bias_bytes, trtc_out *out);

typedef struct {
	int32_t type;
	trtc_dims window, stride, pre_padding, post_padding; /* nb -1: default */
	int32_t padding_mode;
	int32_t exclude_padding;
	float blend_factor;
} trtc_pool_params;
trtc_status trtc_add_pooling(trtc_builder *b, const char *name, trtc_tensor *x, trtc_pool_params p, trtc_out *out);

typedef struct {
	trtc_dims first_transpose;  /* nb -1: identity */
	trtc_dims reshape;          /* nb -1: none */
	trtc_dims second_transpose; /* nb -1: identity */
	int32_t zero_is_placeholder;
} trtc_shuffle_params;
/* reshape_tensor may be NULL; when set it overrides p.reshape. */
trtc_status trtc_add_shuffle(trtc_builder *b, const char *name, trtc_tensor *x, trtc_shuffle_params p, trtc_tensor *reshape_tensor, trtc_out *out);

trtc_status trtc_add_reduce(trtc_builder *b, const char *name, trtc_tensor *x, int32_t op, uint32_t axes, int32_t keep_dims, trtc_out *out);
trtc_status trtc_add_softmax(trtc_builder *b, const char *name, trtc_tensor *x, uint32_t axes, trtc_out *out);
trtc_status trtc_add_concatenation(trtc_builder *b, const char *name, trtc_tensor *const *xs, int32_t n, int32_t axis, trtc_out *out);

typedef struct {
	trtc_dims start, size, stride;
	int32_t mode;
} trtc_slice_params;
/* start_t, size_t_, stride_t, fill and axes may be NULL. */
trtc_status trtc_add_slice(trtc_builder *b, const char *name, trtc_tensor *x, trtc_slice_params p,
	trtc_tensor *start_t, trtc_tensor *size_t_, trtc_tensor *stride_t, trtc_tensor *fill, trtc_tensor *axes, trtc_out *out);

trtc_status trtc_add_gather(trtc_builder *b, const char *name, trtc_tensor *data, trtc_tensor *indices, int32_t axis, int32_t mode, trtc_out *out);
/* GatherMode::kND with setNbElementWiseDims: the leading dims that data and
 * indices share (ONNX GatherND's batch_dims). */
trtc_status trtc_add_gather_nd(trtc_builder *b, const char *name, trtc_tensor *data, trtc_tensor *indices, int32_t nb_elementwise_dims, trtc_out *out);
/* mode is ScatterMode; axis is set (setAxis) in kELEMENT mode only. */
trtc_status trtc_add_scatter(trtc_builder *b, const char *name, trtc_tensor *data, trtc_tensor *indices, trtc_tensor *updates,
	int32_t mode, int32_t axis, trtc_out *out);
/* Loops and if-conditionals. A trtc_loop is an ILoop, a trtc_conditional an
 * IIfConditional, a trtc_recurrence an IRecurrenceLayer, all owned by the
 * builder's network. name names the loop or conditional (setName) or the
 * boundary layer. kind is TripLimit or LoopOutput; length, for kCONCATENATE
 * and kREVERSE loop outputs, is setInput(1, length) (null for kLAST_VALUE).
 * Trip-limit and condition layers have no outputs. */
typedef struct trtc_loop trtc_loop;
typedef struct trtc_conditional trtc_conditional;
typedef struct trtc_recurrence trtc_recurrence;
trtc_status trtc_add_loop(trtc_builder *b, const char *name, trtc_loop **out);
trtc_status trtc_add_trip_limit(trtc_builder *b, const char *name, trtc_loop *loop, trtc_tensor *limit, int32_t kind);
trtc_status trtc_add_recurrence(trtc_builder *b, const char *name, trtc_loop *loop, trtc_tensor *initial, trtc_recurrence **layer, trtc_out *out);
/* IRecurrenceLayer::setInput(1, next). */
trtc_status trtc_set_recurrence_input(trtc_builder *b, trtc_recurrence *layer, trtc_tensor *next);
trtc_status trtc_add_iterator(trtc_builder *b, const char *name, trtc_loop *loop, trtc_tensor *x, int32_t axis, int32_t reverse, trtc_out *out);
trtc_status trtc_add_loop_output(trtc_builder *b, const char *name, trtc_loop *loop, trtc_tensor *x, int32_t kind, int32_t axis,
	trtc_tensor *length, trtc_out *out);
trtc_status trtc_add_if_conditional(trtc_builder *b, const char *name, trtc_conditional **out);
trtc_status trtc_set_condition(trtc_builder *b, const char *name, trtc_conditional *c, trtc_tensor *cond);
trtc_status trtc_add_if_input(trtc_builder *b, const char *name, trtc_conditional *c, trtc_tensor *x, trtc_out *out);
trtc_status trtc_add_if_output(trtc_builder *b, const char *name, trtc_conditional *c, trtc_tensor *true_out, trtc_tensor *false_out,
	trtc_out *out);
/* addEinsum(xs, n, equation): TensorRT's equation syntax (lower-case labels,
 * ",", "->", "..."); float inputs, a float output. */
trtc_status trtc_add_einsum(trtc_builder *b, const char *name, trtc_tensor *const *xs, int32_t n, const char *equation, trtc_out *out);
/* getPluginRegistry()->loadLibrary(path): registers the plugin creators of
 * a TensorRT plugin library (trtexec's --dynamicPlugins). */
trtc_status trtc_load_plugin_library(const char *path);
/* The plugin creators the registry holds (getPluginRegistry()->
 * getAllCreators()), as text, one creator a line:
 * NAME \t VERSION \t NAMESPACE \t KIND \t FIELDS, where KIND is the
 * creator's getInterfaceInfo().kind ("PLUGIN CREATOR_V3ONE") and FIELDS,
 * for an IPluginCreatorV3One, its getFieldNames() as name:type joined by
 * "," (type: PluginFieldType's value). Tabs and newlines inside names are
 * written as spaces. The text is written into buf when it fits in cap bytes
 * with its NUL; *need is always set to the bytes it needs. */
trtc_status trtc_plugin_creators(char *buf, int64_t cap, int64_t *need);
/* A PluginField (NvInferPluginBase.h): type is TensorRT's PluginFieldType
 * value, data points to length elements of it (chars for kCHAR). */
typedef struct {
	const char *name;
	const void *data;
	int32_t type;
	int32_t length;
} trtc_plugin_field;
/* addPluginV3(xs, n, nullptr, 0, *plugin), where plugin is made by
 * getPluginRegistry()->getCreator(creator, version, ns), an
 * IPluginCreatorV3One, with createPlugin(name, {fields}, kBUILD). The
 * builder keeps the plugin until it is destroyed. */
trtc_status trtc_add_plugin_v3(trtc_builder *b, const char *name, trtc_tensor *const *xs, int32_t n, const char *creator, const char *version, const char *ns, const trtc_plugin_field *fields, int32_t nfields, trtc_out *out);
/* addOneHot(indices, values, depth, axis). */
/* addRotaryEmbedding(x, cos, sin, interleaved, dim) (10.15+; refused on an
 * older library), with pos (may be null) set as input 3. */
trtc_status trtc_add_rotary_embedding(trtc_builder *b, const char *name, trtc_tensor *x, trtc_tensor *cos_cache, trtc_tensor *sin_cache, trtc_tensor *pos, int32_t interleaved, int32_t dim, trtc_out *out);
trtc_status trtc_add_onehot(trtc_builder *b, const char *name, trtc_tensor *indices, trtc_tensor *values, trtc_tensor *depth, int32_t axis, trtc_out *out);
trtc_status trtc_add_select(trtc_builder *b, const char *name, trtc_tensor *cond, trtc_tensor *then_, trtc_tensor *else_, trtc_out *out);
trtc_status trtc_add_cast(trtc_builder *b, const char *name, trtc_tensor *x, int32_t dtype, trtc_out *out);
/* addQuantize / addDequantize (input, scale, to_type) with setAxis when
 * axis >= 0, setInput(2, zero_point) when it is not NULL, and setBlockShape
 * (10.15 on) when block_shape.nb > 0. */
trtc_status trtc_add_quantize(trtc_builder *b, const char *name, trtc_tensor *x, trtc_tensor *scale, trtc_tensor *zero_point,
	int32_t to_type, int32_t axis, trtc_dims block_shape, trtc_out *out);
trtc_status trtc_add_dequantize(trtc_builder *b, const char *name, trtc_tensor *x, trtc_tensor *scale, trtc_tensor *zero_point,
	int32_t to_type, int32_t axis, trtc_dims block_shape, trtc_out *out);
trtc_status trtc_add_identity(trtc_builder *b, const char *name, trtc_tensor *x, trtc_out *out);
trtc_status trtc_add_normalization(trtc_builder *b, const char *name, trtc_tensor *x, trtc_tensor *scale, trtc_tensor *bias, uint32_t axes, float epsilon, trtc_out *out);
trtc_status trtc_add_shape(trtc_builder *b, const char *name, trtc_tensor *x, trtc_out *out);

typedef struct {
	int32_t op;
	trtc_dims dims; /* ignored when dims_t is set */
	int32_t dtype;
	double alpha, beta;
} trtc_fill_params;
/* dims_t, alpha_t and beta_t may be NULL. */
trtc_status trtc_add_fill(trtc_builder *b, const char *name, trtc_fill_params p, trtc_tensor *dims_t, trtc_tensor *alpha_t, trtc_tensor *beta_t, trtc_out *out);
trtc_status trtc_add_cumulative(trtc_builder *b, const char *name, trtc_tensor *x, trtc_tensor *axis, int32_t op, int32_t exclusive, int32_t reverse, trtc_out *out);
/* Indices are Int32, as in the reference backend. */
trtc_status trtc_add_topk(trtc_builder *b, const char *name, trtc_tensor *x, int32_t op, int64_t k, uint32_t axes, trtc_out *values, trtc_out *indices);

typedef struct {
	int32_t mode;         /* InterpolationMode */
	trtc_dims output_dims; /* nb -1: not set */
	int32_t nb_scales;    /* 0: not set */
	float scales[TRTC_MAX_DIMS];
	int32_t coord_transform;  /* ResizeCoordinateTransformation */
	int32_t selector;         /* ResizeSelector */
	int32_t nearest_rounding; /* ResizeRoundMode */
	float cubic_coeff;
	int32_t exclude_outside;
} trtc_resize_params;
/* Exactly one of p.output_dims (setOutputDimensions), output_dims_t (a 1-D
 * Int32/Int64 shape tensor, setInput(1, ...); may be NULL) and p.scales
 * (setScales) gives the output size. */
trtc_status trtc_add_resize(trtc_builder *b, const char *name, trtc_tensor *x, trtc_resize_params p, trtc_tensor *output_dims_t, trtc_out *out);

/* trtc_is_shape_tensor: ITensor::isShapeTensor() of a tensor of the
 * network (reliable once the network is complete). */
trtc_status trtc_is_shape_tensor(trtc_builder *b, trtc_tensor *t, int32_t *is);

/* Optimization profiles: trtc_profile_new appends one and gives its index;
 * trtc_profile_set sets one input's min/opt/max dims in it. */
trtc_status trtc_profile_new(trtc_builder *b, int32_t *index);
trtc_status trtc_profile_set(trtc_builder *b, int32_t index, const char *input, trtc_dims min, trtc_dims opt, trtc_dims max);
/* trtc_profile_set_values gives a shape-tensor input's n values (min, opt,
 * max) in a profile: setShapeValuesV2 (int64) where the headers and library
 * have it (10.11), else setShapeValues (int32; a value outside int32 is an
 * error). trtc_build refuses a shape-tensor input (ITensor::isShapeTensor)
 * without values in every profile. */
trtc_status trtc_profile_set_values(trtc_builder *b, int32_t index, const char *input, int32_t n,
	const int64_t *min, const int64_t *opt, const int64_t *max);

/* trtc_set_node_precision pins, on a weakly typed TensorRT 10 network, the
 * layers a converter made for one model node (those whose name holds
 * "-[node]", the naming network.Network gives them) that write a float:
 * ILayer::setPrecision(dtype) and setOutputType for each float output. *n receives how many
 * layers it set. A strongly typed network, or TensorRT 11, refuses it. */
trtc_status trtc_set_node_precision(trtc_builder *b, const char *node, int32_t dtype, int32_t *n);

typedef struct {
	int64_t workspace_bytes;    /* 0: TensorRT's default */
	int32_t optimization_level; /* -1: TensorRT's default (3) */
	int32_t hardware_compat;    /* nvinfer1::HardwareCompatibilityLevel */
	int32_t version_compatible;
	/* Precision builder flags (BuilderFlag kFP16, kBF16, kINT8, kFP8,
	 * kOBEY_PRECISION_CONSTRAINTS): TensorRT 10 weakly typed networks only;
	 * trtc_build refuses them on a strongly typed network and on TensorRT
	 * 11, which has no such flags. */
	int32_t fp16, bf16, int8, fp8, obey_precision_constraints;
} trtc_build_config;

/* trtc_build builds the serialized engine. timing_cache (may be NULL) is a
 * serialized ITimingCache to start from; *cache_out receives the cache after
 * the build (NULL when none). The builder owns the ITimingCache until it is
 * destroyed, after its config. */
trtc_status trtc_build(trtc_builder *b, trtc_build_config c, const void *timing_cache, int64_t timing_cache_len,
	trtc_blob **plan, trtc_blob **cache_out);

trtc_status trtc_blob_data(trtc_blob *blob, const void **data, int64_t *size);
void trtc_blob_destroy(trtc_blob *blob);

/* Engine: IRuntime, ICudaEngine and one IExecutionContext. The plan is read
 * during the call only. allow_host_code sets
 * IRuntime::setEngineHostCodeAllowed(true) before deserializing, which
 * version-compatible engines need. */
trtc_status trtc_engine_create(const void *plan, int64_t size, int32_t allow_host_code, trtc_engine **out);
void trtc_engine_destroy(trtc_engine *e);
trtc_status trtc_engine_nb_io(trtc_engine *e, int32_t *n);
/* *name points into the engine and lives as long as it. *is_host is
 * isShapeInferenceIO: an input bound from host memory
 * (trtc_engine_set_host_input). */
trtc_status trtc_engine_io(trtc_engine *e, int32_t i, const char **name, int32_t *is_input, int32_t *is_host, int32_t *dtype, trtc_dims *dims);
/* Optimization profiles of the engine: their count, an input's min/opt/max
 * dims in one, and a shape-tensor input's n min/opt/max values (*found 0
 * when the profile has none). */
trtc_status trtc_engine_nb_profiles(trtc_engine *e, int32_t *n);
trtc_status trtc_engine_profile_shape(trtc_engine *e, const char *name, int32_t profile, trtc_dims *min, trtc_dims *opt, trtc_dims *max);
trtc_status trtc_engine_profile_values(trtc_engine *e, const char *name, int32_t profile, int32_t n,
	int64_t *min, int64_t *opt, int64_t *max, int32_t *found);
/* trtc_engine_set_profile makes profile the context's active one
 * (setOptimizationProfileAsync on stream), unless it already is. */
trtc_status trtc_engine_set_profile(trtc_engine *e, int32_t profile, uintptr_t stream);
/* trtc_engine_set_host_input copies a shape-tensor input's values into
 * memory the engine owns and binds that host address. */
trtc_status trtc_engine_set_host_input(trtc_engine *e, const char *name, const void *data, int64_t nbytes);
trtc_status trtc_engine_set_input_shape(trtc_engine *e, const char *name, trtc_dims dims);
/* The context's shape for a tensor, with input shapes set: outputs are
 * resolved unless they depend on data. */
trtc_status trtc_engine_tensor_shape(trtc_engine *e, const char *name, trtc_dims *dims);
/* addr is a device pointer (cudaMalloc), as an integer. */
trtc_status trtc_engine_set_address(trtc_engine *e, const char *name, uintptr_t addr);
/* stream is a cudaStream_t, as an integer. */
trtc_status trtc_engine_enqueue(trtc_engine *e, uintptr_t stream);

#ifdef __cplusplus
}
#endif

#endif
