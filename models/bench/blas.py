"""Debian's python3-torch links the reference BLAS (about 2.5 GFLOP/s on one core here), which
makes PyTorch CPU timings and the fp32 reference forward of a ViT-L crawl. When
models/work/bench/openblas/ holds Debian's OpenBLAS (models/bench/get_openblas.sh), a script
re-runs itself with it on LD_LIBRARY_PATH (read only at process start, hence the re-exec).
Wheels with their own BLAS (MKL / OpenBLAS, e.g. on the GPU machine) are left alone."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OPENBLAS = os.path.join(os.path.dirname(HERE), 'work', 'bench', 'openblas', 'usr', 'lib',
                        'x86_64-linux-gnu', 'openblas-pthread')


def reexec_with_openblas(mode='auto'):
    """mode: 'auto' (OpenBLAS when present and torch uses the generic BLAS), 'system', or a
    folder holding libblas.so.3."""
    if mode == 'system' or os.environ.get('CXR_BENCH_BLAS_SET'):
        return
    folder = OPENBLAS if mode == 'auto' else mode
    if not os.path.exists(os.path.join(folder, 'libblas.so.3')):
        if mode != 'auto':
            sys.exit('--blas %s: no libblas.so.3 there' % folder)
        return
    import torch
    if mode == 'auto' and 'BLAS_INFO=generic' not in torch.__config__.show():
        return
    env = dict(os.environ, CXR_BENCH_BLAS_SET='1')
    env['LD_LIBRARY_PATH'] = folder + (':' + env['LD_LIBRARY_PATH'] if env.get('LD_LIBRARY_PATH') else '')
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def loaded_blas():
    """The BLAS shared objects mapped into this process (after torch has used one)."""
    try:
        with open('/proc/self/maps', encoding='utf-8') as f:
            return sorted({line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line})
    except OSError:
        return []
