# A small particle example in the style of warp/examples (hand-written for
# the realism tests: 4 kernels, 1 helper).
import warp as wp


@wp.func
def apply_gravity(v: wp.vec3, gravity: wp.vec3, dt: float):
    """Adds gravity to a velocity over one step."""
    return v + gravity * dt


@wp.kernel
def integrate_particles(
    particle_q: wp.array[wp.vec3],
    particle_qd: wp.array[wp.vec3],
    particle_flags: wp.array[wp.int32],
    gravity: wp.vec3,
    dt: float,
):
    tid = wp.tid()
    if particle_flags[tid] == 0:
        return
    v = apply_gravity(particle_qd[tid], gravity, dt)
    particle_qd[tid] = v
    particle_q[tid] = particle_q[tid] + v * dt


@wp.kernel
def eval_springs(
    x: wp.array[wp.vec3],
    spring_indices: wp.array[int],
    spring_stiffness: wp.array[float],
    f: wp.array[wp.vec3],
):
    tid = wp.tid()
    i = spring_indices[tid * 2 + 0]
    j = spring_indices[tid * 2 + 1]
    d = x[i] - x[j]
    fs = d * spring_stiffness[tid]  # Hooke
    wp.atomic_sub(f, i, fs)
    wp.atomic_add(f, j, fs)


@wp.kernel
def sum_rows(offsets: wp.array[int], values: wp.array[float], out: wp.array[float]):
    row = wp.tid()
    s = float(0.0)
    for k in range(offsets[row], offsets[row + 1]):
        s += values[k]
    out[row] = s


@wp.kernel
def clear_grid(grid: wp.array2d(dtype=float)):
    world, i = wp.tid()
    grid[world, i] = 0.0
