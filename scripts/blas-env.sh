# Sourced by run-main.sh and test.sh. Debian's OpenBLAS 0.3.21 does not recognise some recent CPUs
# (this project's 2-core VMs among them) and silently falls back to its Prescott (SSE3) kernels,
# which makes fp32 GEMM 3-5x slower. Name the kernel set from the CPU's flags unless the user did.
# `trmbench models solve` reports the kernel set in use (blas_core) and warns about weak ones.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -r /proc/cpuinfo ]; then
  flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
  case " $flags " in
    *" avx512f "*" avx512bw "*|*" avx512bw "*" avx512f "*) export OPENBLAS_CORETYPE=SkylakeX ;;
    *" avx2 "*) export OPENBLAS_CORETYPE=Haswell ;;
  esac
fi
