//! Temporary elision for the arithmetic operators, as numpy does it.
//!
//! In `loss = tf.reduce_sum(tf.sin(x) * x + x * x)`, the `+` gets two operands
//! that nothing but the interpreter's value stack holds: they die as soon as
//! the operator returns. Writing the sum over one of them, instead of
//! allocating a third array, keeps one large temporary fewer alive at the peak
//! (W9: 5 arrays of 40 MB become 4). The core does the writing
//! ([`tapegrad::ops::binary_reusing`]) and refuses whenever the buffer is shared
//! (another tensor, a tape's saved value, a numpy view) or a recording tape still
//! needs the old value; this module decides when a *Python object* is such a
//! temporary, which only the interpreter can tell:
//!
//! * its reference count is 1 — only the value stack holds it;
//! * the current Python frame is executing `BINARY_OP`, so the count is the
//!   interpreter's own stack reference, not a C caller's sole reference to an
//!   object it will use again (numpy checks the same with a C backtrace);
//! * CPython 3.11 to 3.13, where `BINARY_OP` exists and the value stack holds
//!   strong references (3.14 pushes borrowed ones, so a count of 1 no longer
//!   proves a temporary there; its `PyUnstable_Object_IsUniqueReferencedTemporary`
//!   is outside the stable ABI this wheel is built for);
//! * it is large ([`ELIDE_MIN_ELEMS`]): below that an allocation is cheap and
//!   recycled by the allocator, and the frame check would cost more than it saves.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyBytes;
use tapegrad::kernels::BinaryKind;
use tapegrad::{Tensor, ops};

use crate::convert::to_tensor;
use crate::errors::IntoPy;
use crate::tensor::PyTensor;

/// Smallest operand (elements) whose buffer is reused: 256 KiB of float32, numpy's
/// threshold.
pub const ELIDE_MIN_ELEMS: usize = 1 << 16;

/// What the frame check needs, looked up once.
struct FrameProbe {
    getframe: Py<PyAny>,
    binary_op: u8,
}

static PROBE: PyOnceLock<Option<FrameProbe>> = PyOnceLock::new();

fn probe(py: Python<'_>) -> PyResult<Option<FrameProbe>> {
    let v = py.version_info();
    let v = (v.major, v.minor);
    let sys = py.import("sys")?;
    let cpython = sys.getattr("implementation")?.getattr("name")?.extract::<String>()? == "cpython";
    if !cpython || !((3, 11)..(3, 14)).contains(&v) {
        return Ok(None);
    }
    let binary_op = py.import("opcode")?.getattr("opmap")?.get_item("BINARY_OP")?.extract()?;
    Ok(Some(FrameProbe { getframe: sys.getattr("_getframe")?.unbind(), binary_op }))
}

/// True if the innermost Python frame is executing `BINARY_OP`, i.e. the
/// interpreter itself called the operator with operands from its value stack.
fn called_from_binary_op(py: Python<'_>) -> bool {
    let Some(p) = PROBE.get_or_init(py, || probe(py).ok().flatten()) else {
        return false;
    };
    let check = || -> PyResult<bool> {
        let frame = p.getframe.bind(py).call0()?;
        let lasti: usize = frame.getattr("f_lasti")?.extract()?;
        let code = frame.getattr("f_code")?.getattr("co_code")?;
        Ok(code.cast::<PyBytes>()?.as_bytes().get(lasti) == Some(&p.binary_op))
    };
    check().unwrap_or(false)
}

/// The tensor object `obj`, if it is a large float temporary (see the module docs).
/// Cheapest test first: every arithmetic operator runs this on both operands, and
/// most operands are named (count above 1), so they cost a cast and a load.
fn temporary<'a, 'py>(obj: &'a Bound<'py, PyAny>) -> Option<&'a Bound<'py, PyTensor>> {
    let t = obj.cast::<PyTensor>().ok()?;
    if obj.get_refcnt() != 1 {
        return None;
    }
    let big_float = {
        let r = t.try_borrow().ok()?;
        r.t.numel() >= ELIDE_MIN_ELEMS && r.t.dtype().is_float()
    };
    (big_float && called_from_binary_op(obj.py())).then_some(t)
}

/// `lhs op rhs` (`rhs op lhs` if `reflected`) computed over the buffer of
/// whichever operand is a temporary, or `None` when neither is (the caller then
/// runs the ordinary operator). `slf` is the object whose dunder method runs.
pub fn try_reuse(
    slf: &Bound<'_, PyAny>,
    other: &Bound<'_, PyAny>,
    op: BinaryKind,
    reflected: bool,
) -> PyResult<Option<Tensor>> {
    if !matches!(op, BinaryKind::Add | BinaryKind::Sub | BinaryKind::Mul | BinaryKind::Div) {
        return Ok(None);
    }
    // `slf` is the left operand unless the method is the reflected one.
    let (owned, rest, owned_is_lhs) = if let Some(t) = temporary(slf) {
        (t, other, !reflected)
    } else if let Some(t) = temporary(other) {
        (t, slf, reflected)
    } else {
        return Ok(None);
    };
    let Ok(mut owned) = owned.try_borrow_mut() else {
        return Ok(None);
    };
    let rest = to_tensor(rest, Some(owned.t.dtype()))?;
    let owned: &mut Tensor = &mut owned.t;
    let n = owned.numel().max(rest.numel());
    let y = crate::gil::compute(slf.py(), n, || ops::binary_reusing(op, owned, &rest, owned_is_lhs)).py()?;
    Ok(Some(y))
}
