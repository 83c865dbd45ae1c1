//! A tensor's values in place: read them as a slice without a copy, or change them where
//! they are. The fast paths (scaling pixels, the checks before training, the fused engine)
//! work on slices; everything else works on tensors.

use std::cell::RefCell;

use candle_core::{CpuStorage, InplaceOp1, Layout, Storage, Tensor};

use crate::error::{Error, Result};

/// Rows handled at a time when a whole dataset passes through a model or a computation
/// (evaluation, prediction, statistics, the checks before training): enough rows to keep the
/// cores busy, few enough that the intermediate values take a few MB. Results do not depend
/// on it.
pub const CHUNK_ROWS: usize = 1024;

/// `f(values)` when `x` is a contiguous CPU tensor of element type `T`, else `None`.
pub fn with_cpu_slice<T: candle_core::WithDType, R>(
    x: &Tensor,
    f: impl FnOnce(&[T]) -> R,
) -> Option<R> {
    let (storage, layout) = x.storage_and_layout();
    let (Storage::Cpu(cpu), Some((start, end))) = (&*storage, layout.contiguous_offsets()) else {
        return None;
    };
    let data = cpu.as_slice::<T>().ok()?;
    Some(f(&data[start..end]))
}

/// Calls `f` with the values of every tensor of `tensors` as mutable slices, in the same
/// order, and returns what it returns. What `f` writes is the tensors' new values (every
/// tensor that shares a storage with one of them sees it, as with `Var::set`).
///
/// Each tensor must be a contiguous `f32` tensor on the CPU, and no two may share their
/// storage (each is locked for writing while `f` runs); otherwise nothing is called and the
/// error says which. Inside `f`, do not touch these tensors through Candle: they are locked.
pub fn with_values_mut<R>(
    tensors: &[&Tensor],
    f: impl FnOnce(&mut [&mut [f32]]) -> R,
) -> Result<R> {
    check_distinct_f32_storage(tensors)?;
    nest(tensors, Vec::with_capacity(tensors.len()), Box::new(f))
}

/// An error unless every tensor is a contiguous CPU `f32` tensor with a storage of its own.
fn check_distinct_f32_storage(tensors: &[&Tensor]) -> Result<()> {
    let mut seen: Vec<*const f32> = Vec::with_capacity(tensors.len());
    for (i, t) in tensors.iter().enumerate() {
        let (storage, layout) = t.storage_and_layout();
        let (Storage::Cpu(CpuStorage::F32(values)), Some(_)) =
            (&*storage, layout.contiguous_offsets())
        else {
            return Err(Error::InvalidArgument(format!(
                "tensor {i} of {} cannot be changed in place: it must be a contiguous f32 tensor \
                 on the CPU, and it is {:?} on {:?}",
                tensors.len(),
                t.dtype(),
                t.device().location()
            )));
        };
        // Storages of no element have no memory to share.
        if !values.is_empty() {
            if seen.contains(&values.as_ptr()) {
                return Err(Error::InvalidArgument(format!(
                    "tensor {i} shares its storage with an earlier one in the list; each must be \
                     changed in place on its own"
                )));
            }
            seen.push(values.as_ptr());
        }
    }
    Ok(())
}

/// What a level of [`nest`] hands to the tensor it locks: the slices taken so far, the
/// function, and room for its result.
type Job<'a, R> = Box<dyn FnOnce(&mut [&mut [f32]]) -> R + 'a>;

struct Level<'t, 'a, R> {
    rest: &'t [&'t Tensor],
    taken: RefCell<Option<Vec<&'a mut [f32]>>>,
    job: RefCell<Option<Job<'a, R>>>,
    out: RefCell<Option<Result<R>>>,
}

/// Locks the first of `tensors` (through Candle's in-place operation, which holds its
/// storage's write lock while it runs), adds its values to `taken`, and goes on with the
/// rest; with none left, runs the job on everything taken.
fn nest<'a, R>(tensors: &[&Tensor], taken: Vec<&'a mut [f32]>, job: Job<'a, R>) -> Result<R> {
    let Some((first, rest)) = tensors.split_first() else {
        let mut taken = taken;
        return Ok(job(&mut taken));
    };
    let level = Level {
        rest,
        taken: RefCell::new(Some(taken)),
        job: RefCell::new(Some(job)),
        out: RefCell::new(None),
    };
    first.inplace_op1(&level)?;
    level
        .out
        .into_inner()
        .unwrap_or_else(|| Err(Error::InvalidArgument("a tensor was not on the CPU".into())))
}

impl<R> InplaceOp1 for Level<'_, '_, R> {
    fn name(&self) -> &'static str {
        "mlpkit-values-in-place"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        let (CpuStorage::F32(values), Some((start, end))) = (storage, layout.contiguous_offsets())
        else {
            candle_core::bail!("not a contiguous f32 tensor (checked before locking)");
        };
        let (Some(taken), Some(job)) = (self.taken.take(), self.job.take()) else {
            candle_core::bail!("a level of the in-place lock ran twice");
        };
        let mut taken: Vec<&mut [f32]> = taken;
        taken.push(&mut values[start..end]);
        *self.out.borrow_mut() = Some(nest(self.rest, taken, job));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    #[test]
    fn values_change_in_place_for_every_tensor_sharing_them() {
        let a = Var::from_slice(&[1f32, 2.0], 2, &Device::Cpu).unwrap();
        let b = Var::from_slice(&[10f32], 1, &Device::Cpu).unwrap();
        let alias = a.as_tensor().clone();
        let sum = with_values_mut(&[a.as_tensor(), b.as_tensor()], |v| {
            v[0][1] += v[1][0];
            v[0][0] + v[0][1]
        })
        .unwrap();
        assert_eq!(sum, 13.0);
        assert_eq!(alias.to_vec1::<f32>().unwrap(), [1.0, 12.0]);
    }

    #[test]
    fn shared_or_unsuitable_storage_is_refused_without_locking() {
        let a = Var::from_slice(&[1f32, 2.0], 2, &Device::Cpu).unwrap();
        let twice = with_values_mut(&[a.as_tensor(), a.as_tensor()], |_| ());
        assert!(
            twice
                .unwrap_err()
                .to_string()
                .contains("shares its storage")
        );
        let ints = Tensor::new(&[1u32, 2], &Device::Cpu).unwrap();
        assert!(with_values_mut(&[&ints], |_| ()).is_err());
        let view = Tensor::new(&[[1f32, 2.0], [3.0, 4.0]], &Device::Cpu)
            .unwrap()
            .t()
            .unwrap();
        assert!(with_values_mut(&[&view], |_| ()).is_err());
    }
}
