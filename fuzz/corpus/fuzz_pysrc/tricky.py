import warp as wp
from somewhere import kernel

text = "@wp.kernel\ndef not_a_kernel(): pass  # in a string"
'''
@wp.kernel
def in_a_docstring(a: wp.array[float]):
    pass
'''


@kernel
def not_warp(a):  # another library's decorator: not counted
    pass


def test_nested(test, device):
    @wp.kernel(enable_backward=False)
    def nested_kernel(
        a: wp.array(dtype=wp.float64),  # a comment with ) and ]
        b: wp.array(dtype=wp.float64),
        label: str = "#(",
    ):
        i = wp.tid()
        b[i] = a[i] * \
            wp.float64(2.0)

    wp.launch(nested_kernel, dim=1, inputs=[], device=device)
