"""The vocabularies a contract speaks: container types, output types, and its error."""

from __future__ import annotations

from enum import Enum


class ContractError(ValueError):
    """A script contract is invalid, or was asked something it cannot answer."""


class ContainerType(str, Enum):
    """The kind of SageMaker container a script runs in."""

    LAMBDA = "lambda"
    PROCESSING = "processing"
    TRAINING = "training"

    def __str__(self) -> str:
        return self.value


class OutputType(str, Enum):
    """What an output's value is: an S3 location, or a LambdaStep output parameter type.

    Training and processing outputs are always S3 URIs. A lambda contract's outputs are
    LambdaStep ``OutputParameters``; an ``S3_URI`` output of a Lambda travels as a
    ``String`` parameter whose value is an ``s3://`` URI.
    """

    S3_URI = "S3Uri"
    STRING = "String"
    INTEGER = "Integer"
    FLOAT = "Float"
    BOOLEAN = "Boolean"

    def __str__(self) -> str:
        return self.value

    @property
    def python_types(self) -> tuple[type, ...]:
        """Python types a value of this type may have (booleans are not integers)."""
        return _PYTHON_TYPES[self]

    def accepts(self, value: object) -> bool:
        """Whether ``value`` is a value of this type."""
        if isinstance(value, bool):
            return bool in self.python_types
        return isinstance(value, self.python_types)

    @property
    def lambda_output_type(self) -> str:
        """The LambdaStep ``OutputType`` that carries a value of this type."""
        return "String" if self is OutputType.S3_URI else self.value


_PYTHON_TYPES = {
    OutputType.S3_URI: (str,),
    OutputType.STRING: (str,),
    OutputType.INTEGER: (int,),
    OutputType.FLOAT: (float, int),
    OutputType.BOOLEAN: (bool,),
}
