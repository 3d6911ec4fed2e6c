# hep/ (four-vectors, collections, selections, combinatorics, correctionlib) and processing/
# (frame, cutflow, weights, outputs, executors, NanoAOD skim) on the shared NanoAOD files.
set(HEPAD_FAMILY_COMPONENTS root_io json)
