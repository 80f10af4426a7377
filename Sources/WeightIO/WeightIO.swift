// WeightIO: safetensors, diffusers folders, ncnn files.
import TensorCore
