//! Buffers shared by the team's threads during one job, and the one bounds check in front
//! of every slice they hand out.
//!
//! A job ([`super::workers::Team::run`]) runs one closure on every thread at once. The
//! closure must be `Sync`, so it cannot capture `&mut [f32]`: the types here carry a raw
//! pointer and its length across, and hand out slices. Each carries the lifetime `'a` of the
//! borrow it was made from, so the compiler checks that the buffer outlives every slice
//! handed out and that no one else uses it meanwhile (a [`Blocks`] holds its exclusive
//! borrow for `'a`). What the compiler cannot see is left to two rules, each promised by the
//! code that hands out slices (see each `SAFETY` comment there): a [`ReadOnly`] buffer is not
//! written while the job runs (it was made from a shared borrow, so only a `Blocks` of the
//! same memory could, and none is made), and the parts of one job take disjoint elements of a
//! `Blocks` buffer.

use std::marker::PhantomData;

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
pub(super) struct ReadOnly<'a> {
    ptr: *const f32,
    len: usize,
    borrow: PhantomData<&'a [f32]>,
}

// SAFETY: a `ReadOnly<'a>` is made from a shared borrow for `'a` and only ever reads through
// it, so it is as good as that `&'a [f32]`, which is `Send` and `Sync`.
unsafe impl Send for ReadOnly<'_> {}
// SAFETY: as for `Send`: every use is a read.
unsafe impl Sync for ReadOnly<'_> {}

impl<'a> ReadOnly<'a> {
    pub(super) fn of(v: &'a [f32]) -> Self {
        Self {
            ptr: v.as_ptr(),
            len: v.len(),
            borrow: PhantomData,
        }
    }

    /// The address of element `i` (at most one past the end).
    pub(super) fn at(self, i: usize) -> *const f32 {
        assert!(i <= self.len, "element {i} of a buffer of {}", self.len);
        self.ptr.wrapping_add(i)
    }

    /// Elements `start..start + len`. (Safe: the buffer lives for `'a`, and was borrowed
    /// shared, so nothing writes it while this lives.)
    pub(super) fn slice(self, start: usize, len: usize) -> &'a [f32] {
        check_range(start, len, self.len);
        // SAFETY: the range is inside the buffer (checked above), which the shared borrow
        // `'a` keeps alive and unwritten.
        unsafe { std::slice::from_raw_parts(self.ptr.add(start), len) }
    }
}

/// A buffer that the team's threads write in disjoint blocks (each part its own rows or
/// columns). It holds a raw pointer so that it can cross into the helper threads; it is made
/// only from an exclusive borrow.
#[derive(Clone, Copy)]
pub(super) struct Blocks<'a> {
    ptr: *mut f32,
    len: usize,
    borrow: PhantomData<&'a mut [f32]>,
}

// SAFETY: a `Blocks<'a>` is made from an exclusive borrow for `'a` (`&'a mut [f32]` is `Send`),
// and the parts of one job touch disjoint elements of it (see `Blocks::slice_mut`).
unsafe impl Send for Blocks<'_> {}
// SAFETY: as for `Send`: shared between the parts, each of which takes its own elements.
unsafe impl Sync for Blocks<'_> {}

impl<'a> Blocks<'a> {
    pub(super) fn of(v: &'a mut [f32]) -> Self {
        Self {
            ptr: v.as_mut_ptr(),
            len: v.len(),
            borrow: PhantomData,
        }
    }

    /// The address of element `i` (at most one past the end).
    pub(super) fn at(self, i: usize) -> *mut f32 {
        assert!(i <= self.len, "element {i} of a buffer of {}", self.len);
        self.ptr.wrapping_add(i)
    }

    /// Elements `start..start + len`, to read and write. The buffer outlives the slice (the
    /// borrow `'a`, which the compiler checks).
    ///
    /// # Safety
    /// While the slice is in use no other slice or pointer (on any thread) may touch these
    /// elements.
    pub(super) unsafe fn slice_mut(self, start: usize, len: usize) -> &'a mut [f32] {
        check_range(start, len, self.len);
        // SAFETY: the range is inside the buffer (checked above), which the exclusive borrow
        // `'a` keeps alive for us alone; exclusive access among the parts is the caller's
        // promise.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(start), len) }
    }
}

/// The optimizer's state vectors of one weight (none, one or two), to update in blocks.
#[derive(Clone, Copy)]
pub(super) struct State<'a>([Option<Blocks<'a>>; 2]);

impl<'a> State<'a> {
    pub(super) fn of(slots: &'a mut [&mut [f32]]) -> Self {
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
    pub(super) unsafe fn block(self, at: usize, len: usize) -> [&'a mut [f32]; 2] {
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
