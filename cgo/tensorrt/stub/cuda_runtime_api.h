/* Stand-in for CUDA's cuda_runtime_api.h: the two types TensorRT's headers need. */
typedef struct CUstream_st* cudaStream_t;
typedef struct CUevent_st* cudaEvent_t;
