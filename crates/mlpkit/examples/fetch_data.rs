//! Makes sure both datasets can be found, fetching them from the Hugging Face hub into the
//! workspace's `data/` folder when no local copy exists. `./lab` runs it before the notebooks
//! start (the notebooks build the helper crate without its hub support).
//!
//! ```text
//! cargo run --release -p mlpkit --features hub --example fetch_data
//! ```

use mlpkit::data::Source;
use mlpkit::prelude::*;

fn main() -> Result<()> {
    for kind in [DatasetKind::Mnist, DatasetKind::FashionMnist] {
        let ds = Dataset::load(kind)?;
        match &ds.source {
            Source::Dir(dir) => println!("{kind}: {}", dir.display()),
            Source::Hub { .. } => {
                let dir = kind.workspace_dir();
                ds.save_idx(&dir)?;
                println!(
                    "{kind}: fetched from the Hugging Face hub into {}",
                    dir.display()
                );
            }
        }
    }
    Ok(())
}
