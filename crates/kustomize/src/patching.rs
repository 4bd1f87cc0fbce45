//! Glue between the pipeline and the patch and generator modules: reads
//! patch files, selects targets and calls the pure functions in
//! [`crate::patch`] and [`crate::generate`].

use std::path::{Path, PathBuf};

use crate::build::{Accumulator, Builder, Dir};
use crate::kustomization::Kustomization;
use crate::resource::Resource;

/// Errors of applying patches or generators.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The feature is not available in this build yet.
    #[error("'{field}' is not supported yet")]
    Unsupported {
        /// The kustomization field.
        field: &'static str,
    },
    /// A patch file could not be loaded.
    #[error("loading patch '{path}'")]
    Load {
        /// The entry as written.
        path: PathBuf,
        /// The cause.
        #[source]
        source: crate::load::Error,
    },
}

fn unsupported(kfile: &Path, field: &'static str) -> crate::build::Error {
    crate::build::Error::Patch {
        file: kfile.to_path_buf(),
        field,
        source: Error::Unsupported { field },
    }
}

/// `configMapGenerator` / `secretGenerator` / `generators`.
pub(crate) fn run_generators(
    _b: &mut Builder<'_>,
    _dir: &Dir,
    kust: &Kustomization,
    kfile: &Path,
    _ra: &mut Accumulator,
) -> Result<(), crate::build::Error> {
    if !kust.config_map_generator.is_empty() {
        return Err(unsupported(kfile, "configMapGenerator"));
    }
    if !kust.secret_generator.is_empty() {
        return Err(unsupported(kfile, "secretGenerator"));
    }
    if !kust.generators.is_empty() {
        return Err(unsupported(kfile, "generators"));
    }
    if !kust.helm_charts.is_empty() || !kust.helm_chart_inflation_generator.is_empty() {
        return Err(unsupported(kfile, "helmCharts"));
    }
    Ok(())
}

/// Appends content hashes to generated names.
pub(crate) fn add_hashes(_list: &mut [Resource]) -> Result<(), Error> {
    Ok(())
}

/// `patchesStrategicMerge`.
pub(crate) fn strategic_merge(
    _b: &mut Builder<'_>,
    _dir: &Dir,
    kust: &Kustomization,
    kfile: &Path,
    _ra: &mut Accumulator,
) -> Result<(), crate::build::Error> {
    if !kust.patches_strategic_merge.is_empty() {
        return Err(unsupported(kfile, "patchesStrategicMerge"));
    }
    Ok(())
}

/// `patches`.
pub(crate) fn patches(
    _b: &mut Builder<'_>,
    _dir: &Dir,
    kust: &Kustomization,
    kfile: &Path,
    _ra: &mut Accumulator,
) -> Result<(), crate::build::Error> {
    if !kust.patches.is_empty() {
        return Err(unsupported(kfile, "patches"));
    }
    Ok(())
}

/// `patchesJson6902`.
pub(crate) fn json6902(
    _b: &mut Builder<'_>,
    _dir: &Dir,
    kust: &Kustomization,
    kfile: &Path,
    _ra: &mut Accumulator,
) -> Result<(), crate::build::Error> {
    if !kust.patches_json6902.is_empty() {
        return Err(unsupported(kfile, "patchesJson6902"));
    }
    Ok(())
}
