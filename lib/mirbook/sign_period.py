"""``mirbook firmar``: one signing role over the newest revision of a period, as a new revision.

Why a separate module: this is the only place that ties :mod:`mirbook.firma` (certificates,
PAdES, CMS) to the archive's layout and manifest, so that it can follow the archive when the
manifest becomes typed and a ledger arrives, without touching the signing code.

What one call does, under the archive's lock and changing nothing when anything fails:

1. the newest revision of the period must exist and match its manifest (a tampered archive
   is not signed);
2. every report PDF of that revision gets one more PAdES signature (an incremental update,
   earlier signatures stay valid) and is checked again right after;
3. the result is a new revision with ``motivo: "firma"``; the unsigned (or less signed)
   revision is kept whole in ``revisiones/`` by :func:`archive.carry_history`;
4. the new manifest records every signature (file, role, signer, RFC, CURP, certificate
   serial and sha256, time, sha256 of the signed PDF) under ``firmas``;
5. beside it, ``manifest.json.p7s`` is the detached CMS signature of exactly those manifest
   bytes. A manifest cannot list its own signature, so that one file of a revision folder is
   not in ``salidas``: :func:`archive.artifact_files` skips exactly
   :data:`mirbook.manifest.SIGNATURE`, and :func:`mirbook.firma.revision_problems` verifies it.

The new manifest is the typed :class:`mirbook.manifest.Manifest` of the signed revision with
``revision``, ``motivo``, ``firmado``, ``salidas``, ``firmas`` and ``revisiones_anteriores``
replaced: everything that says how the figures were made stays as the run recorded it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from . import archive, firma, integrity
from .errors import MirbookError
from .manifest import Firma, Manifest
from .model import Period
from .paths import period_dir

REASON = "firma"


@dataclass(frozen=True)
class SignOutcome:
    """What a ``firmar`` call archived."""

    period: Period
    folder: Path
    revision: int
    role: str
    signer: firma.Signer
    files: list[str]


def next_role(manifest: Manifest) -> str:
    """The role that follows the ones already recorded: Elaboró, then Revisó, then Autorizó."""
    done = {entry.rol for entry in manifest.firmas}
    return next((role for role in firma.ROLES if role not in done), firma.ROLES[-1])


def _copy_top_level(current: Path, staged: Path) -> None:
    """The artifacts of the newest revision (not its manifest, signature, index or history)."""
    for path in archive.artifact_files(current):
        rel = path.relative_to(current)
        target = staged / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def sign_period(reports_dir: Path, period: Period, credential: firma.Credential, role: str | None = None,
                log: Callable[[str], None] = lambda _line: None) -> SignOutcome:
    """Sign every report PDF of the newest revision of ``period`` with ``credential`` as ``role``."""
    reports_dir = Path(reports_dir)
    target = period_dir(reports_dir, period)
    if not (target / archive.MANIFEST).is_file():
        raise MirbookError(f"No hay ninguna revisión archivada de {period} en {reports_dir}: "
                           "ejecute primero «mirbook generar».")
    with archive.locked(reports_dir):
        state = integrity.prepare(reports_dir)  # a damaged archive is not signed; the ledger gives the number
        key = integrity.period_key(period)
        current = archive.read_manifest(target)
        if current is None:
            raise MirbookError(f"{target / archive.MANIFEST}: el manifiesto no se puede leer; no se firmó nada.")
        if archive.hash_outputs(target) != dict(current.salidas):
            raise MirbookError(f"{target}: los archivos no coinciden con su manifiesto; revise con "
                               "«mirbook verificar» antes de firmar. No se firmó nada.")
        role = role or next_role(current)
        firma.check_role(role)
        pdfs = sorted(rel for rel in current.salidas if rel.endswith(".pdf") and "/" not in rel)
        if not pdfs:
            raise MirbookError(f"{target}: la revisión no tiene reportes PDF que firmar.")
        revision = state.periods[key].last_number + 1 if key in state.periods else current.revision + 1
        records = list(current.firmas)
        with archive.staging_dir(reports_dir, period) as staged:
            _copy_top_level(target, staged)
            for rel in pdfs:
                log(f"Firmando {rel} como «{role}»…")
                signed = firma.sign_pdf((staged / rel).read_bytes(), credential, role)
                checks = firma.verify_pdf(signed)
                problems = [p for check in checks for p in check.problems]
                if problems:
                    raise MirbookError(f"{rel}: la firma recién hecha no se pudo verificar ({problems[0]}); "
                                       "no se firmó nada.")
                archive.write_atomic(staged / rel, signed)
                newest = checks[-1]
                records.append(Firma.from_dict({
                    "archivo": rel, "rol": role, **credential.signer.as_dict(),
                    "fecha": (newest.signed_at or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
                    "sha256": archive.sha256_file(staged / rel),
                }))
            earlier = archive.carry_history(target, staged, current.revision)
            manifest = replace(
                current, revision=revision, motivo=REASON,
                firmado=datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
                salidas=archive.hash_outputs(staged), firmas=tuple(records), revisiones_anteriores=tuple(earlier))
            # the period page is evidence: the signed revision's own page, showing who signed what
            from .pipeline import _with_period_page

            manifest = _with_period_page(manifest, period, staged, target)
            payload = manifest.to_bytes()
            archive.write_atomic(staged / archive.MANIFEST, payload)
            archive.write_atomic(staged / firma.MANIFEST_SIGNATURE, firma.sign_detached(payload, credential))
            pending = integrity.begin(reports_dir, key, revision, payload, kind="signature", notes=[f"firma: {role}"])
            archive.swap_into_place(staged, target)
            integrity.finish(reports_dir, pending, {firma.MANIFEST_SIGNATURE: archive.sha256_file(
                target / firma.MANIFEST_SIGNATURE)})
        from .site import rebuild_site

        rebuild_site(reports_dir)
    return SignOutcome(period, target, revision, role, credential.signer, pdfs)
