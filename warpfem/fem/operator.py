"""The finest level's stiffness applied element by element, in double precision: the conjugate
gradients' exact product, with no assembled double-precision matrix.

Each element's 60 x 60 matrix is its class's (the bricks of one material and one size), and a
graded mesh has few classes against its assembled blocks: on the copper-plate FCBGA's 477 k-dof
step, 3744 classes for 35 800 elements, 114 MB with the elements' nodes where the assembled
double-precision matrix took 655 MB. Taken class by class, a class's matrix stays in cache across
its elements, so the product is arithmetic rather than memory traffic, and faster than the
assembled one: 23 against 60 ms on one core, three vectors 57 against 83 ms
(studies/benchmarks/block_product.md). The multigrid's smoother keeps its assembled
single-precision matrix, whose rows it relaxes colour by colour.
"""

from __future__ import annotations

import numpy as np

from .assemble import ElementMatrices, element_dofs
from .kernels import element_product_add
from .parallel import summed_in_fixed_parts


class ElementOperator:
    """K x for the stiffness of ``elements`` (E, 20) of classes ``of_element`` (E,) with matrices
    ``matrices`` (N/mm), its ``fixed`` dofs (bool, (3N,)) keeping only their diagonal, as
    :func:`.assemble.constrain` leaves them."""

    def __init__(self, elements: np.ndarray, of_element: np.ndarray, matrices: ElementMatrices, fixed: np.ndarray):
        order = np.argsort(of_element, kind="stable")
        self.elements = np.ascontiguousarray(elements[order], dtype=np.int64)
        self.of_element = np.ascontiguousarray(of_element[order], dtype=np.int64)
        self.K = np.ascontiguousarray(matrices.dense(np.arange(len(matrices))), dtype=np.float64)
        self.fixed = np.asarray(fixed, dtype=bool)
        self.n = len(self.fixed)
        diagonal = np.bincount(element_dofs(self.elements).ravel(),
                               np.diagonal(self.K, axis1=1, axis2=2)[self.of_element].ravel(),
                               minlength=self.n)
        self.held = np.flatnonzero(self.fixed)
        self.held_diagonal = diagonal[self.held]

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        """K x for x (3N,) or vectors as columns (3N, k), in double precision."""
        x = np.asarray(x, dtype=np.float64)
        free = np.where(self.fixed if x.ndim == 1 else self.fixed[:, None], 0.0, x)

        # element ranges summed apart and then added in order, whatever the number of threads: the
        # product's rounding (and every iterate of the solver) does not depend on the machine
        def part(a: int, b: int) -> np.ndarray:
            y = np.zeros_like(free)
            element_product_add(self.elements[a:b], self.of_element[a:b], self.K, free, y)
            return y

        y = summed_in_fixed_parts(len(self.elements), part)
        y[self.held] = (self.held_diagonal if x.ndim == 1 else self.held_diagonal[:, None]) * x[self.held]
        return y
