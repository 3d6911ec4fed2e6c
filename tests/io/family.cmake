# SPDX-License-Identifier: BSL-1.0
# CSV, NPY/NPZ (zlib from hepad::codecs) and HDF5 (hepad::hdf5) tests.
set(HEPAD_FAMILY_COMPONENTS codecs hdf5)
