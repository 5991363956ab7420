package onnx_test

import (
	"strings"
	"testing"

	"github.com/trtc-dev/trtc/converters"
	"github.com/trtc-dev/trtc/pkg/ops"
)

// requiredOps are the ops trtc promises for torchvision CNNs and GPT/BERT
// style transformers as torch.onnx.export writes them: each needs a
// converter and a CPU kernel.
var requiredOps = strings.Fields(`Add Sub Mul Div Pow Sqrt Exp Log Neg Abs
	Reciprocal Erf Tanh Sigmoid Relu LeakyRelu HardSigmoid HardSwish Gelu Clip Min Max Equal
	Less Greater Where Not Cast MatMul Gemm Conv MaxPool AveragePool GlobalAveragePool
	BatchNormalization LayerNormalization Softmax ReduceMean ReduceSum Reshape Flatten
	Transpose Squeeze Unsqueeze Concat Split Slice Gather Expand Shape Constant
	ConstantOfShape Identity Trilu Mod Range Dropout Attention RotaryEmbedding Einsum`)

func TestRequiredOpsHaveConverterAndKernel(t *testing.T) {
	reg := converters.Builtin()
	for _, op := range requiredOps {
		key := "onnx." + op
		if _, ok := ops.Lookup(key); !ok {
			t.Errorf("%s has no CPU kernel", key)
		}
		if len(reg.Candidates(key)) == 0 {
			t.Errorf("%s has no converter", key)
		}
	}
}
