# ROOT reader tests: README values of tests/data/{nanoaod,root-extra}, error handling, and an
# every-branch comparison with the independent reader jsroot (tests/js/dump_root.mjs).
set(HEPAD_FAMILY_COMPONENTS root_io json parquet)
set(HEPAD_FAMILY_NEEDS_JS TRUE)
