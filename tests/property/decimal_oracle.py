#!/usr/bin/env python3
"""Property test: the mapping language's decimal + - * /, round() and < > against Python's decimal.

Generates operands (up to 38 significant digits, scales 0..80, exponent forms, signs, zeros),
runs them through etl-transform with one mapping, and checks every record: a result must equal
the exact result (+ - * and round) or Python's 28-digit half-even quotient (/) in value and
scale; a rejected record must be one whose exact result does not fit 38 significant digits and
76 digits after the point, or a division by zero.

usage: decimal_oracle.py BIN_DIR [CASES] [SEED]
"""
import decimal
import json
import os
import random
import subprocess
import sys
import tempfile
from decimal import Decimal

MAX_DIGITS, MAX_SCALE, DIV_DIGITS = 38, 76, 28

MAPPING = {
    "name": "decimal-oracle",
    "fields": {
        "i": "i",
        "r": "op == 'add' ? a + b : op == 'sub' ? a - b : op == 'mul' ? a * b : "
             "op == 'div' ? a / b : op == 'cmp' ? (a < b ? -1 : a > b ? 1 : 0) : round(a, p)",
    },
}


def operand(rng):
    shape = rng.random()
    if shape < 0.05:
        return rng.choice(["0", "0.000", "-0", "1", "-1", "1E-38", "1e-40", "0E+5", "0.5"])
    digits = rng.randint(1, MAX_DIGITS)
    coef = str(rng.randint(10 ** (digits - 1), 10 ** digits - 1))
    if shape < 0.15:  # exponent form, as JSON allows
        return f"{'-' if rng.random() < 0.3 else ''}{coef[0]}.{coef[1:] or '0'}e-{rng.randint(0, 40)}"
    scale = rng.choice([0, 0, 2, 2, 4, rng.randint(0, 40), rng.randint(30, 80)])
    if scale >= len(coef):
        text = "0." + "0" * (scale - len(coef)) + coef
    elif scale == 0:
        text = coef
    else:
        text = coef[:-scale] + "." + coef[-scale:]
    return ("-" if rng.random() < 0.3 else "") + text


EXACT = decimal.Context(prec=400, rounding=decimal.ROUND_HALF_EVEN, Emin=-999999, Emax=999999)


def fits(d, trim=False):
    """True when d, at its own exponent, is representable: a coefficient of at most 38 digits
    and at most 76 digits after the point (trim: trailing zeros may be dropped to get there)."""
    sign, digits, exp = d.as_tuple()
    digits = list(digits)
    if exp > 0:  # a positive exponent becomes zeros of the coefficient
        digits += [0] * exp
        exp = 0
    while trim and -exp > MAX_SCALE and digits[-1] == 0:
        if len(digits) > 1:
            digits.pop()
        exp += 1
    while len(digits) > 1 and digits[0] == 0:
        digits.pop(0)
    return len(digits) <= MAX_DIGITS and -exp <= MAX_SCALE


def scale_of(d):
    return max(0, -d.as_tuple().exponent)


def quotient(a, b):
    """Rounded half-even at the 28th significant digit, or at the units when the integer part
    is longer: a quotient never rounds away digits before the point."""
    q = EXACT.divide(a, b)
    whole_digits = q.adjusted() + 1 if q != 0 else 0
    prec = max(DIV_DIGITS, whole_digits)
    return decimal.Context(prec=prec, rounding=decimal.ROUND_HALF_EVEN,
                           Emin=-999999, Emax=999999).divide(a, b)


def expected(op, a, b, p):
    """The exact (or, for /, rounded) result, or None when it must be rejected."""
    if not fits(a) or (op != "round" and not fits(b)):
        return None  # an operand that is no decimal: the record is rejected as it is read
    if op == "div":
        if b == 0:
            return None
        q = quotient(a, b)
        return q if fits(q) else None
    if op == "cmp":
        return Decimal((a > b) - (a < b))
    if op == "round":
        r = EXACT.quantize(a, Decimal(1).scaleb(-p))
        return r if fits(r) else None
    r = {"add": EXACT.add, "sub": EXACT.subtract, "mul": EXACT.multiply}[op](a, b)
    return r if fits(r, trim=op == "mul") else None


def main():
    bin_dir = sys.argv[1]
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261129
    rng = random.Random(seed)
    inputs = {}
    with tempfile.TemporaryDirectory() as work:
        mapping = os.path.join(work, "m.json")
        with open(mapping, "w") as f:
            json.dump(MAPPING, f)
        lines = []
        for i in range(cases):
            op = rng.choice(["add", "sub", "mul", "div", "round", "cmp"])
            a, b, p = operand(rng), operand(rng), rng.randint(-38, MAX_SCALE)
            inputs[i] = (op, a, b, p)
            lines.append(f'{{"i":{i},"op":"{op}","a":{a},"b":{b},"p":{p}}}')
        rejects = os.path.join(work, "rejects.ndjson")
        run = subprocess.run([os.path.join(bin_dir, "etl-transform"), "-q", "-m", mapping,
                              "--rejects", rejects], input="\n".join(lines) + "\n",
                             capture_output=True, text=True)
        if run.returncode not in (0, 3):
            sys.exit(f"etl-transform exited {run.returncode}: {run.stderr}")
        results = {}
        for line in run.stdout.splitlines():
            rec = json.loads(line, parse_float=str, parse_int=str)
            results[int(rec["i"])] = rec["r"]
        with open(rejects) as f:
            for line in f:
                rec = json.loads(line, parse_float=str, parse_int=str)["record"]
                results[int(rec["i"])] = None
    failures = []
    for i, (op, a_text, b_text, p) in inputs.items():
        a, b = Decimal(a_text), Decimal(b_text)
        want, got = expected(op, a, b, p), results.get(i, "missing")
        if got == "missing":
            ok = False
        elif want is None or got is None:
            ok = want is None and got is None
        else:
            got_d = Decimal(got)
            ok = got_d == want
            # The scale, where both keep it the same way (a positive exponent becomes zeros).
            if (ok and op in ("add", "sub", "mul", "round") and want.as_tuple().exponent <= 0
                    and a.as_tuple().exponent <= 0 and b.as_tuple().exponent <= 0
                    and scale_of(want) <= MAX_SCALE):
                ok = scale_of(got_d) == scale_of(want)
        if not ok:
            failures.append(f"{op}({a_text}, {b_text}{', ' + str(p) if op == 'round' else ''}): "
                            f"etlkit {got}, Python {want}")
    for f in failures[:20]:
        print("MISMATCH", f)
    passed = len(inputs) - len(failures)
    print(f"decimal oracle: {passed} passed, {len(failures)} failed (seed {seed})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
