// TensorBlob <-> at::Tensor. The only place where checkpoint bytes meet LibTorch.
#pragma once

#include <ATen/ATen.h>

#include "models/io/tensor_blob.h"

namespace trmbench {

at::ScalarType to_scalar_type(DType d);
DType from_scalar_type(at::ScalarType t);  // throws std::invalid_argument for unsupported types

// A new CPU tensor holding a copy of the blob's bytes.
at::Tensor to_tensor(const TensorBlob & blob);
// A blob holding a copy of the tensor (moved to CPU and made contiguous first).
TensorBlob from_tensor(const at::Tensor & t);

}  // namespace trmbench
