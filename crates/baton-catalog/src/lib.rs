//! Workflow distribution: catalogs, install sources, the installed-workflow registry,
//! enable/disable, updates, overlays and custom step packages.
