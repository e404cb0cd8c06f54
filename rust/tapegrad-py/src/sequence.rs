//! Nested Python lists and tuples of numbers, read straight into a tensor.
//!
//! `tf.constant([[1.0, 2.0, 3.0]])` and `[[1.0, 2.0]] @ w` are common in TF code
//! (the seeds do both). Going through `numpy.asarray` costs ~5 µs per call
//! (array creation, dtype inspection, `astype`); walking the list here costs
//! well under one. Only the regular cases are read here: every leaf a Python
//! `float`/`int` (or every leaf a `bool`), every sub-list of the same length.
//! Anything else (tensors or numpy values inside, ragged lists, bools mixed
//! with numbers, ints beyond int64) returns `None`, and the caller goes through
//! numpy as before, so results and error messages stay numpy's.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyTuple};

/// The leaves of a regular nested sequence, in row-major order.
pub enum Leaves {
    /// Every leaf a Python int (not bool).
    Ints(Vec<i64>),
    /// At least one Python float; ints among them are converted as numpy does.
    Floats(Vec<f64>),
    /// Every leaf a bool.
    Bools(Vec<bool>),
}

/// A nested list/tuple read as `(shape, leaves)`, or `None` where numpy must decide.
pub fn read_regular(obj: &Bound<'_, PyAny>) -> Option<(Vec<usize>, Leaves)> {
    let mut reader = Reader { shape: Vec::new(), leaf_depth: None, leaves: Leaves::Ints(Vec::new()) };
    reader.visit(obj, 0)?;
    let count: usize = reader.shape.iter().product();
    let leaf_count = match &reader.leaves {
        Leaves::Ints(v) => v.len(),
        Leaves::Floats(v) => v.len(),
        Leaves::Bools(v) => v.len(),
    };
    // A leaf depth other than the rank means an empty list sat where others had
    // values (`[[], [1]]` is caught by lengths, this catches the rest).
    let depth_ok = reader.leaf_depth.is_none_or(|d| d == reader.shape.len());
    if leaf_count != count || !depth_ok {
        return None;
    }
    // No leaves at all: numpy's (and TF's) default is float.
    let leaves = if count == 0 { Leaves::Floats(Vec::new()) } else { reader.leaves };
    Some((reader.shape, leaves))
}

struct Reader {
    shape: Vec<usize>,
    leaf_depth: Option<usize>,
    leaves: Leaves,
}

impl Reader {
    fn visit(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> Option<()> {
        if let Ok(list) = obj.cast::<PyList>() {
            self.enter(list.len(), depth)?;
            list.iter().try_for_each(|item| self.visit(&item, depth + 1))
        } else if let Ok(tuple) = obj.cast::<PyTuple>() {
            self.enter(tuple.len(), depth)?;
            tuple.iter().try_for_each(|item| self.visit(&item, depth + 1))
        } else {
            self.leaf(obj, depth)
        }
    }

    /// A sequence of `len` items at `depth`: same length as its siblings, above the leaves.
    fn enter(&mut self, len: usize, depth: usize) -> Option<()> {
        if self.leaf_depth.is_some_and(|d| depth >= d) {
            return None;
        }
        match self.shape.get(depth) {
            Some(&known) => (known == len).then_some(()),
            None if depth == self.shape.len() => {
                self.shape.push(len);
                Some(())
            }
            None => None,
        }
    }

    fn leaf(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> Option<()> {
        match self.leaf_depth {
            Some(d) if d != depth => return None,
            None if depth != self.shape.len() => return None,
            _ => self.leaf_depth = Some(depth),
        }
        // bool first: it is a subclass of int.
        if let Ok(b) = obj.cast::<PyBool>() {
            return match &mut self.leaves {
                Leaves::Bools(v) => {
                    v.push(b.is_true());
                    Some(())
                }
                Leaves::Ints(v) if v.is_empty() => {
                    self.leaves = Leaves::Bools(vec![b.is_true()]);
                    Some(())
                }
                // numpy turns bools among numbers into numbers: let it.
                _ => None,
            };
        }
        if obj.is_instance_of::<PyInt>() {
            let value: i64 = obj.extract().ok()?;
            return match &mut self.leaves {
                Leaves::Ints(v) => {
                    v.push(value);
                    Some(())
                }
                Leaves::Floats(v) => {
                    v.push(value as f64);
                    Some(())
                }
                Leaves::Bools(_) => None,
            };
        }
        // Exactly a Python float: a numpy float64 scalar keeps its dtype (numpy decides).
        if let Ok(f) = obj.cast_exact::<PyFloat>() {
            let value = f.value();
            match &mut self.leaves {
                Leaves::Floats(v) => v.push(value),
                Leaves::Ints(ints) => {
                    let mut floats: Vec<f64> = ints.iter().map(|&i| i as f64).collect();
                    floats.push(value);
                    self.leaves = Leaves::Floats(floats);
                }
                Leaves::Bools(_) => return None,
            }
            return Some(());
        }
        None
    }
}
