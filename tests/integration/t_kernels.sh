#!/usr/bin/env bash
# OpenBLAS kernels across ranks (docs/cluster.md): workers that run different kernels (as on a
# cluster of mixed nodes) are warned about at start, the file records "differ" and each rank's
# kernels, `info` marks the odd one; --blas-core pins one set on every rank; a set that the
# workers do not run is refused.
source "$(dirname "$0")/lib.sh"
tiny_sweep "kernels-it" 3 24 6
mixed() { # OUT [args]: rank 0 and 1 with Haswell kernels, rank 2 with SkylakeX
  local out=$1; shift
  mpirun --allow-run-as-root --oversubscribe --mca mpi_yield_when_idle 1 \
    -np 2 -x OPENBLAS_CORETYPE=Haswell "$SPECTCV" run "$T/exp.cfg" -o "$out" "$@" : \
    -np 1 -x OPENBLAS_CORETYPE=SkylakeX "$SPECTCV" run "$T/exp.cfg" -o "$out" "$@"
}
out=$(mixed "$T/m.h5" 2>&1); rc=$?
check "a sweep on workers with different kernels runs (exit 0)" test "$rc" -eq 0
check "... and warns at start" grep -q "warning: the workers run different OpenBLAS kernels" <<<"$out"
check "... the file says so, and which rank ran which" "$PYTHON" -c "
import h5py, sys
f = h5py.File('$T/m.h5', 'r')
r = f['provenance/run_0/ranks'][:]
sys.exit(0 if f.attrs['blas_core'] in (b'differ', 'differ') and
         [x.decode() for x in r['blas_core']] == ['Haswell', 'Haswell', 'SkylakeX'] and
         list(r['threads']) == [1, 1, 1] and list(r['worker']) == [0, 1, 1] else 1)"
out=$("$SPECTCV" info "$T/m.h5" 2>&1)
check "info prints every rank's kernels and marks the odd worker" \
  grep -q "rank 2 on .*: SkylakeX kernels, 1 thread  <- not the kernels of the first worker (Haswell)" <<<"$out"
out=$(mixed "$T/p.h5" --blas-core Haswell 2>&1); rc=$?
check "--blas-core Haswell pins them on every rank (exit 0, no warning)" \
  bash -c "[ $rc -eq 0 ] && ! grep -q 'different OpenBLAS kernels' <<<'$out'"
check "... as the file records" "$PYTHON" -c "
import h5py, sys
f = h5py.File('$T/p.h5', 'r')
r = f['provenance/run_0/ranks'][:]
sys.exit(0 if set(x.decode() for x in r['blas_core']) == {'Haswell'} else 1)"
expect_status "--blas-core with kernels that the workers do not run is refused" 1 \
  "--blas-core NoSuchCore: the workers run" mpi 3 "$SPECTCV" run "$T/exp.cfg" -o "$T/x.h5" --blas-core NoSuchCore
