# SPDX-License-Identifier: BSL-1.0
# Parquet writer/reader tests: need the codecs (hepad::parquet), nlohmann-json for the JS readers'
# output, and the JS cross-check readers (hyparquet, parquet-wasm).
set(HEPAD_FAMILY_COMPONENTS parquet json)
set(HEPAD_FAMILY_NEEDS_JS TRUE)
