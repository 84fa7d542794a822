from typing import Any

import warp as wp

from ..funcs import twice, weight
from ..types import GRAVITY, Particle, vec3


@wp.kernel
def integrate(ps: wp.array(dtype=Particle), dt: float):
    i = wp.tid()
    p = ps[i]
    v = p.v + vec3(0.0, GRAVITY, 0.0) * dt
    ps[i].v = v
    ps[i].x = p.x + v * dt * weight(p.mass)


@wp.kernel(enable_backward=False)
def energy(ps: wp.array(dtype=Particle), out: wp.array(dtype=float)):
    i = wp.tid()
    out[i] = weight(ps[i].v) + twice(ps[i].mass)


@wp.kernel
def accumulate(src: wp.array(dtype=Any), dst: wp.array(dtype=Any)):
    i = wp.tid()
    dst[i] = twice(src[i])


wp.overload(accumulate, {"src": wp.array(dtype=float), "dst": wp.array(dtype=float)})
wp.overload(accumulate, {"src": wp.array(dtype=wp.vec3), "dst": wp.array(dtype=wp.vec3)})


@wp.kernel
def unused_generic(a: wp.array(dtype=Any)):  # no overload declared: instantiated for float32
    i = wp.tid()
    a[i] = twice(a[i])


@wp.kernel
def unbound_generic(a: wp.array(dtype=float), v: Any):  # no overload, and float32 does not fit
    i = wp.tid()
    a[i] = wp.length(v)


def make_scaler(factor: float):
    @wp.kernel
    def scaler(a: wp.array(dtype=float)):  # made at run time: a factory
        i = wp.tid()
        a[i] = a[i] * factor

    return scaler
