//! The crate's integration tests, in one binary: each module below is one subject, and
//! `util` holds what they share (data made up for a test, the real datasets when they are on
//! disk, figures' helpers). One binary links Candle once instead of once per file.
//!
//! Tests that need MNIST, Fashion-MNIST or the UCI digits skip, saying what to fetch, when
//! the files are not on this machine (`util::data`); with `MLPKIT_REQUIRE_DATA=1` (as
//! `./lab test` runs them) a missing dataset fails the test instead.

mod util;

mod bad_numbers;
mod confusion;
mod data_bad_input;
mod data_real;
mod data_transforms;
mod fused;
mod fused_options;
mod idx_first_bytes;
mod interrupt;
mod model;
mod mutations;
mod nothing_lost;
mod optimizers;
mod picture;
mod plot;
mod predictions;
mod saving;
mod training;
mod tutorials;
mod typeset;
