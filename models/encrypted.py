"""Mobile numbers at rest: encrypted (Fernet, the ID number keys), found by a keyed hash, shown masked.

`encrypted_phone("phone")` makes the Python attribute `phone` of a model whose table has the columns
`phone_enc`, `phone_hash` and `phone_masked`: reading it decrypts, assigning it fills all three (None
erases them), and in a query `Model.phone == "138…"` compares keyed hashes, so searching by phone
keeps working although no column holds the number."""
from sqlalchemy.ext.hybrid import Comparator, hybrid_property
from sqlalchemy.sql import operators


class PhoneComparator(Comparator):
    """Compares the keyed-hash column: `== number` hashes the number; IS NULL and the like pass through."""

    def operate(self, op, *other, **kwargs):
        if op in (operators.eq, operators.ne) and other and isinstance(other[0], str):
            from service.privacy.pii import phone_hash

            other = (phone_hash(other[0]),)
        return op(self.expression, *other, **kwargs)

    def reverse_operate(self, op, other, **kwargs):
        return op(other, self.expression, **kwargs)


def encrypted_phone(prefix: str) -> hybrid_property:
    enc, digest, masked = f"{prefix}_enc", f"{prefix}_hash", f"{prefix}_masked"

    def read(self):
        from service.privacy.pii import reveal_phone

        return reveal_phone(getattr(self, enc))

    def write(self, value):
        from service.privacy.pii import protect_phone

        for column, stored in zip((enc, digest, masked), protect_phone((value or "").strip() or None)):
            setattr(self, column, stored)

    def compare(cls):
        return PhoneComparator(getattr(cls, digest))

    return hybrid_property(read, write, custom_comparator=compare)
