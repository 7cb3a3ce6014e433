"""The handler package's public names: one sorted ``__all__``, re-exported from the modules.

``from lambda_code.hyperparameter_prep import X`` (the library) and ``import
hyperparameter_prep`` (inside Lambda) see the same names.
"""

from __future__ import annotations
import __future__

import types

import lambda_code
from lambda_code import hyperparameter_prep as hp


def test_all_names_exactly_the_public_objects() -> None:
    # GIVEN the package namespace (submodules and __future__ features aside)
    public = {
        name
        for name, value in vars(hp).items()
        if not name.startswith("_")
        and not isinstance(value, (types.ModuleType, __future__._Feature))
    }
    # THEN __all__ names exactly those, once each, in order
    assert set(hp.__all__) == public
    assert len(hp.__all__) == len(set(hp.__all__))


def test_handler_name_has_one_source() -> None:
    # GIVEN the Lambda Handler setting THEN it is the package folder's name + lambda_handler
    module, function = lambda_code.HYPERPARAMETER_PREP_HANDLER.split(".")
    assert module == lambda_code.HYPERPARAMETER_PREP_MODULE
    assert module == lambda_code.HYPERPARAMETER_PREP_PACKAGE.name
    assert (lambda_code.HYPERPARAMETER_PREP_PACKAGE / "__init__.py").is_file()
    assert callable(getattr(hp, function))


def test_result_names_and_types_are_the_handlers_result() -> None:
    # GIVEN the output names and LambdaStep types THEN they are the four result keys
    assert list(hp.OUTPUT_TYPES) == [
        hp.OUTPUT_S3_URI,
        hp.OUTPUT_SHA256,
        hp.OUTPUT_SIZE_BYTES,
        hp.OUTPUT_REUSED,
    ]
    assert dict(hp.OUTPUT_TYPES) == {
        "hyperparameters_s3_uri": "String",
        "hyperparameters_sha256": "String",
        "hyperparameters_size_bytes": "Integer",
        "reused": "Boolean",
    }
