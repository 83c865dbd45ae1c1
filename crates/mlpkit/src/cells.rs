//! The notebooks' kernel, seen from the crate: copies of the library in one process, and the
//! tensors each has made.
//!
//! The notebooks' kernel (evcxr) compiles every cell into a library of its own, linked with
//! its own copy of mlpkit and Candle, statics included. Candle tells tensors apart, when it
//! computes gradients, by a number from a counter, and each copy counts on its own: a variable
//! made in one cell and a tensor made in the next can have the same number, and their
//! gradients are then added together, silently (`tests/cross_cell.py` checks what the crate
//! does about it).
//! (`:allow_static_linking 0`, which would give the cells one shared copy, cannot build the
//! notebooks' dependencies: see `kernel/README.md`.)
//!
//! This module lets the crate notice when that can happen: [`this_copy`] names the copy that
//! runs, and [`check_new_here`] finds variables whose numbers this copy cannot have given.
//! Candle shows a tensor's number only in the `Debug` form of its id (`TensorId(17)`); should
//! that form change in a new Candle, [`tensor_number`] says so once on stderr (the check is
//! then off, and training still works), and this module's test fails with the reason.

use candle_core::{DType, Device, Tensor, Var};

use crate::error::{Error, Result};

/// A number that differs between copies of this library in one process (the address of a
/// static of this copy) and is the same for every call within one copy.
pub fn this_copy() -> usize {
    static MARK: u8 = 0;
    std::ptr::addr_of!(MARK) as usize
}

/// The number Candle gave `tensor` (read from its `TensorId`, which shows it and nothing
/// else).
pub(crate) fn tensor_number(tensor: &Tensor) -> Option<usize> {
    let shown = format!("{:?}", tensor.id());
    let number = read_tensor_id(&shown);
    if number.is_none() {
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            eprintln!(
                "mlpkit: cannot read the number in Candle's tensor id {shown:?} (its form has \
                 changed since Candle 0.9): the check for variables made in another notebook \
                 cell is off; make them in the cell that trains them"
            )
        });
    }
    number
}

/// The number in a `TensorId`'s `Debug` form, `TensorId(17)`.
fn read_tensor_id(shown: &str) -> Option<usize> {
    shown
        .strip_prefix("TensorId(")?
        .strip_suffix(')')?
        .parse()
        .ok()
}

/// The number this copy of Candle will give its next tensor.
fn next_number() -> Option<usize> {
    tensor_number(&Tensor::zeros((), DType::U8, &Device::Cpu).ok()?)
}

/// The error for variables made by another copy (another notebook cell); `what` names what
/// holds them, `fix` what to do.
pub(crate) fn made_in_another_cell(what: &str, fix: &str) -> Error {
    Error::MadeInAnotherCell(format!(
        "{what} were made in another notebook cell. Each cell runs its own copy of the \
         libraries, and Candle tells tensors apart by a number each copy counts on its own, so \
         tensors made in this cell can share a number with those variables and their gradients \
         get mixed up: training would go wrong without an error. {fix}"
    ))
}

/// An error if any of `vars` has a number this copy has not given yet: it was made by
/// another copy (another cell). Variables this copy made always pass; some made elsewhere
/// may pass too (their numbers can be low enough), which the other checks catch.
pub(crate) fn check_new_here(vars: &[Var], what: &str, fix: &str) -> Result<()> {
    let Some(next) = next_number() else {
        return Ok(());
    };
    if vars
        .iter()
        .any(|v| tensor_number(v.as_tensor()).is_some_and(|n| n >= next))
    {
        return Err(made_in_another_cell(what, fix));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candle_shows_tensor_ids_in_the_form_this_module_reads() {
        let t = Tensor::zeros(2, DType::F32, &Device::Cpu).unwrap();
        let shown = format!("{:?}", t.id());
        assert!(
            read_tensor_id(&shown).is_some(),
            "Candle now shows a tensor id as {shown:?}, not `TensorId(<number>)`: update \
             `read_tensor_id`, or the checks for variables made in another notebook cell are off"
        );
        assert_eq!(read_tensor_id("TensorId(17)"), Some(17));
        assert_eq!(read_tensor_id("Id { value: 17 }"), None);
    }

    #[test]
    fn numbers_are_read_and_only_future_ones_are_foreign() {
        let t = Tensor::zeros(2, DType::F32, &Device::Cpu).unwrap();
        let n = tensor_number(&t).unwrap();
        assert!(next_number().unwrap() > n);
        let v = Var::zeros(2, DType::F32, &Device::Cpu).unwrap();
        assert!(check_new_here(&[v], "these variables", "").is_ok());
        assert_eq!(this_copy(), this_copy());
    }
}
