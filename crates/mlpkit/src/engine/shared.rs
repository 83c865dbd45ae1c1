//! Buffers shared by the team's threads during one job, and the one bounds check in front
//! of every slice they hand out.
//!
//! A job ([`super::workers::Workers::run`]) runs one closure on every thread at once. The
//! closure must be `Sync`, so it cannot capture `&mut [f32]`: the types here carry a raw
//! pointer and its length across, and hand out slices under two rules, each promised by the
//! code that makes them (see each `SAFETY` comment there): a [`ReadOnly`] buffer is not
//! written while the job runs, and the parts of one job take disjoint elements of a
//! [`Blocks`] buffer.

use crate::error::{Error, Result};

/// Panics unless elements `start..start + len` lie inside a buffer of `total`: the one bounds
/// check in front of every slice `ReadOnly` and `Blocks` hand out.
fn check_range(start: usize, len: usize, total: usize) {
    assert!(
        start.checked_add(len).is_some_and(|end| end <= total),
        "elements {start}..+{len} of a buffer of {total}"
    );
}

/// A buffer that the team's threads only read, all at once: it hands out `&[f32]` and
/// nothing else. It holds a raw pointer only so that it can cross into the helper threads.
#[derive(Clone, Copy)]
pub(super) struct ReadOnly {
    ptr: *const f32,
    len: usize,
}

// SAFETY: a `ReadOnly` is made from a shared borrow that outlives the `Team::run` call it is
// used in, and only ever reads through it; reading `f32`s from several threads is sound as
// long as no one writes them meanwhile, which the functions that make one promise.
unsafe impl Send for ReadOnly {}
// SAFETY: as for `Send`: every use is a read.
unsafe impl Sync for ReadOnly {}

impl ReadOnly {
    pub(super) fn of(v: &[f32]) -> Self {
        Self {
            ptr: v.as_ptr(),
            len: v.len(),
        }
    }

    /// The address of element `i` (at most one past the end).
    pub(super) fn at(self, i: usize) -> *const f32 {
        assert!(i <= self.len, "element {i} of a buffer of {}", self.len);
        self.ptr.wrapping_add(i)
    }

    /// Elements `start..start + len`.
    ///
    /// # Safety
    /// The buffer this was made from must still be alive and not be written while the slice
    /// is in use.
    pub(super) unsafe fn slice<'a>(self, start: usize, len: usize) -> &'a [f32] {
        check_range(start, len, self.len);
        // SAFETY: the range is inside the buffer (checked above); liveness and the absence of
        // writers are the caller's promise.
        unsafe { std::slice::from_raw_parts(self.ptr.add(start), len) }
    }
}

/// A buffer that the team's threads write in disjoint blocks (each part its own rows or
/// columns). It holds a raw pointer so that it can cross into the helper threads; it is made
/// only from an exclusive borrow.
#[derive(Clone, Copy)]
pub(super) struct Blocks {
    ptr: *mut f32,
    len: usize,
}

// SAFETY: a `Blocks` is made from an exclusive borrow that outlives the `Team::run` call it is
// used in, and the parts of that call touch disjoint elements of it (see `Blocks::slice_mut`).
unsafe impl Send for Blocks {}
// SAFETY: as for `Send`.
unsafe impl Sync for Blocks {}

impl Blocks {
    pub(super) fn of(v: &mut [f32]) -> Self {
        Self {
            ptr: v.as_mut_ptr(),
            len: v.len(),
        }
    }

    /// The address of element `i` (at most one past the end).
    pub(super) fn at(self, i: usize) -> *mut f32 {
        assert!(i <= self.len, "element {i} of a buffer of {}", self.len);
        self.ptr.wrapping_add(i)
    }

    /// Elements `start..start + len`, to read and write.
    ///
    /// # Safety
    /// The buffer this was made from must still be alive, and while the slice is in use no
    /// other slice or pointer (on any thread) may touch these elements.
    #[allow(clippy::mut_from_ref)]
    pub(super) unsafe fn slice_mut<'a>(self, start: usize, len: usize) -> &'a mut [f32] {
        check_range(start, len, self.len);
        // SAFETY: the range is inside the buffer (checked above); liveness and exclusive
        // access are the caller's promise.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), len) }
    }
}

/// The optimizer's state vectors of one weight (none, one or two), to update in blocks.
#[derive(Clone, Copy)]
pub(super) struct State([Option<Blocks>; 2]);

impl State {
    pub(super) fn of(slots: &mut [&mut [f32]]) -> Self {
        let mut out = [None; 2];
        for (o, s) in out.iter_mut().zip(slots.iter_mut()) {
            *o = Some(Blocks::of(s));
        }
        State(out)
    }

    /// Elements `at..at + len` of each state vector (empty slices for the ones the rule
    /// does not keep).
    ///
    /// # Safety
    /// As [`Blocks::slice_mut`], for every state vector.
    pub(super) unsafe fn block<'a>(self, at: usize, len: usize) -> [&'a mut [f32]; 2] {
        self.0.map(|s| match s {
            // SAFETY: the caller's promise, passed on.
            Some(b) => unsafe { b.slice_mut(at, len) },
            None => &mut [],
        })
    }
}

/// The first error a part of a team's job met (parts cannot return one).
#[derive(Default)]
pub(super) struct FirstError(std::sync::Mutex<Option<Error>>);

impl FirstError {
    pub(super) fn record(&self, r: Result<()>) {
        if let Err(e) = r {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(e);
        }
    }

    pub(super) fn into_result(self) -> Result<()> {
        match self.0.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
