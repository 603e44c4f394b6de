"""The ``mirbook`` command line (messages in Spanish).

Heavy modules (papermill, Great Expectations, WeasyPrint) are imported inside the
sub-command that needs them, so ``mirbook indicadores`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import MirbookError, UsageError

if TYPE_CHECKING:
    from .model import Period
    from .pipeline import Runner, RunOutcome

_SPANISH = {
    "usage: ": "uso: ",
    "positional arguments": "argumentos",
    "options": "opciones",
    "show this help message and exit": "muestra esta ayuda y termina",
    "the following arguments are required: %s": "faltan los argumentos obligatorios: %s",
    "unrecognized arguments: %s": "argumentos no reconocidos: %s",
    "expected one argument": "se esperaba un valor",
    "invalid choice: %(value)r (choose from %(choices)s)": "opción no válida: %(value)r (elija entre %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argumento %(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "opción ambigua: %(option)s puede ser %(matches)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: error: %(message)s\n",
    "invalid %(type)s value: %(value)r": "valor %(type)s no válido: %(value)r",
}
argparse._ = lambda text: _SPANISH.get(text, text)  # type: ignore[attr-defined]  # Spanish argparse


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # noqa: D102 - Spanish usage errors, exit 2
        self.print_usage(sys.stderr)
        self.exit(2, f"Error: {message}\nConsulte «{self.prog} --help».\n")


def _add_period(parser: argparse.ArgumentParser, data: bool = True) -> None:
    parser.add_argument("--year", required=True, help="año, por ejemplo 2026")
    parser.add_argument("--period", required=True, help="periodo: T1, T2, T3 o T4")
    if data:
        parser.add_argument("--data-dir", default=None, help="carpeta de datos (por omisión: data/ del proyecto)")


_LATEST_YEAR = "año, por ejemplo 2026 (sin --year ni --period: el último trimestre con registros)"


def _add_latest_period(parser: argparse.ArgumentParser) -> None:
    """``--year``/``--period`` that default to the latest quarter with registros, and ``--data-dir``."""
    parser.add_argument("--year", default=None, help=_LATEST_YEAR)
    parser.add_argument("--period", default=None, help="periodo: T1, T2, T3 o T4")
    parser.add_argument("--data-dir", default=None, help="carpeta de datos (por omisión: data/ del proyecto)")


def cmd_indicadores(args: argparse.Namespace) -> int:
    """Print or write the indicator table of one period."""
    from .paths import resolve_dir
    from .sources import YearInputs
    from .table import to_csv
    from .validation.screen import needs_validation
    from .workbook import load_params, open_workbook

    data_dir = resolve_dir(args.data_dir, "data")
    period = _period(args, data_dir)
    out = Path(args.out) if args.out else None
    if out is not None and out.is_dir():
        raise UsageError(f"--out {out} es una carpeta; indique un archivo, por ejemplo {out / 'indicadores.csv'}.")
    inputs = YearInputs.read(data_dir, period.year)
    params = load_params()
    if needs_validation(inputs.tables, params, period.year):
        # Something would fail validation: let it phrase every problem (imports Great Expectations).
        from .validation import validate

        result = validate(data_dir, period, params, inputs)
        if not result.ok:
            for line in result.errors:
                print(f"Error: {line}", file=sys.stderr)
            print(f"No se calcularon los indicadores de {period}: los datos tienen {len(result.errors)} "
                  "problema(s). Corrija los archivos (vea «mirbook validar»).", file=sys.stderr)
            return 1
    workbook = open_workbook(period.year, period.label, data_dir, inputs=inputs)
    text = to_csv(workbook.evaluation)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8", newline="")
        print(f"Tabla de indicadores de {workbook.period} escrita en {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _period(args: argparse.Namespace, data_dir: Path) -> Period:
    """``--year``/``--period`` as given, or both left out: the latest quarter with registros (said on stderr)."""
    from .model import Period

    if args.year and args.period:
        return Period.parse(args.year, args.period)
    if args.year or args.period:
        raise UsageError("Indique --year y --period juntos (por ejemplo --year 2026 --period T3), o ninguno "
                         "para el último trimestre con registros.")
    from .pipeline import latest_period

    period = latest_period(data_dir)
    print(f"Periodo elegido: {period} (el último trimestre con al menos un registro fechado en él; "
          "para otro, indique --year y --period).", file=sys.stderr)
    return period


def cmd_validate(args: argparse.Namespace) -> int:
    """Check the input files of one period alone: errors to stderr, exit 1 when there are any."""
    from .paths import resolve_dir
    from .workbook import load_params

    data_dir = resolve_dir(args.data_dir, "data")
    period = _period(args, data_dir)
    params = load_params()
    from .validation import validate  # imports Great Expectations: only on this path

    result = validate(data_dir, period, params)
    for line in result.errors:
        print(f"Error: {line}", file=sys.stderr)
    for line in result.warnings:
        print(f"Advertencia: {line}", file=sys.stderr)
    for line in result.infos:
        print(f"Información: {line}")
    if not result.ok:
        print(
            f"Validación con errores: {len(result.errors)} problema(s) en los datos de {period} "
            f"({result.failed} de {len(result.outcomes)} expectativas no se cumplieron). "
            "Corrija los archivos y vuelva a validar.",
            file=sys.stderr,
        )
        return 1
    print(
        f"Validación correcta: {result.passed} expectativas cumplidas en {len(result.files)} archivo(s) "
        f"de {data_dir / str(period.year)} para {period}; {len(result.warnings)} advertencia(s)."
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Validate, execute the notebooks, render and archive one period (or every period)."""
    from .model import Period
    from .paths import resolve_dir
    from .pipeline import Runner, periods_with_data

    if args.all:
        if args.year or args.period:
            raise UsageError("Use --all sin --year ni --period.")
    data_dir = resolve_dir(args.data_dir, "data")
    reports_dir = resolve_dir(args.reports_dir, "reports")
    if reports_dir.exists() and not reports_dir.is_dir():
        raise UsageError(f"--reports-dir {reports_dir} es un archivo, no una carpeta; indique una carpeta.")
    periods = periods_with_data(data_dir) if args.all else [_period(args, data_dir)]
    if not periods:
        raise UsageError(f"No hay datos que archivar en {data_dir}: ninguna carpeta de año (por ejemplo "
                         f"{data_dir / '2026'}) tiene registros. Agregue los archivos del año y vuelva a ejecutar.")
    runner = Runner(data_dir, reports_dir, jobs=args.jobs, timeout=args.timeout,
                    motivo=args.motivo, ask_motivo=ask_motivo)
    try:
        return _archive(runner, periods, args.all)
    finally:
        # The command is about to end: move everything to the collector's permanent generation,
        # so the interpreter's final collection does not walk the whole heap (half a second with
        # Great Expectations loaded). Objects are still freed by reference counting.
        import gc

        gc.freeze()


def ask_motivo(periods: Sequence[Period]) -> str | None:
    """Ask on the terminal why new revisions of already archived periods are made (``None``
    when the standard input is not a terminal: the manifest then records "sin motivo")."""
    if not sys.stdin.isatty():
        return None
    shown = ", ".join(str(p) for p in periods)
    print(f"Se generará una nueva revisión de {shown}, que ya estaba archivado.", file=sys.stderr)
    try:
        return input("¿Por qué? Escriba el motivo (queda en el manifiesto; Enter para omitirlo): ")
    except EOFError:
        return None


def summary(outcome: RunOutcome) -> str:
    """The closing screen of a run."""
    from .model import SEMAFOROS
    from .style import etiqueta

    counts = outcome.counts
    lines = [
        "",
        f"Reporte de {outcome.period}: {outcome.folder / 'index.html'}",
        f"  Revisión {outcome.revision}" + (" (sin cambios)" if outcome.unchanged else " (nueva)")
        + f" · {outcome.seconds:.1f} s",
        "  Semáforo: " + " · ".join(f"{counts[s]} {etiqueta(s).lower()}" for s in SEMAFOROS),
    ]
    if outcome.avisos:
        lines.append(f"  Advertencias ({len(outcome.avisos)}):")
        lines.extend(f"    - {a}" for a in outcome.avisos)
    else:
        lines.append("  Sin advertencias.")
    lines.extend(f"  Información: {i}" for i in outcome.informacion)
    if outcome.index_error:
        lines.append(f"  Atención: la revisión {outcome.revision} SÍ se archivó, pero no se pudieron actualizar los "
                     f"índices: {outcome.index_error} Después ejecute de nuevo «mirbook generar --year "
                     f"{outcome.period.year} --period {outcome.period.label}» (no repite el trabajo; solo "
                     "reconstruye los índices).")
    return "\n".join(lines)


def _archive(runner: Runner, periods: list[Period], every: bool) -> int:
    """Run one period (errors raise) or every period (errors listed at the end)."""
    if not every:
        outcome = runner.run(periods[0])
        print(summary(outcome))
        return 1 if outcome.index_error else 0
    # Every period at once (their notebooks share the worker processes); a period that
    # fails is left as it was, the others are archived, and the command says which failed.
    failures = []
    index_failed = False
    for period, result in zip(periods, runner.run_many(periods)):
        if isinstance(result, MirbookError):
            failures.append((period, result))
        else:
            print(summary(result))
            index_failed = index_failed or bool(result.index_error)
    for period, error in failures:
        print(f"Error en {period}: {error}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} de {len(periods)} periodo(s) no se archivaron; corrija y vuelva a ejecutar.",
              file=sys.stderr)
        return failures[0][1].exit_code
    return 1 if index_failed else 0


def cmd_borrador(args: argparse.Namespace) -> int:
    """Execute one notebook for one period and render it into the drafts folder (never the archive)."""
    from .borrador import draft
    from .model import Period
    from .paths import resolve_dir

    period = Period.parse(args.year, args.period)
    out = resolve_dir(args.out, "borradores") if args.out else None
    result = draft(args.cuaderno, period, resolve_dir(args.data_dir, "data"), resolve_dir(args.reports_dir, "reports"),
                   out, pdf=args.pdf, timeout=args.timeout, log=lambda line: print(line, file=sys.stderr))
    outcome = result.outcome
    print(f"Borrador de {outcome.name} para {period} (no se archivó nada):")
    print(f"  HTML: {outcome.html}")
    if outcome.pdf is not None:
        print(f"  PDF: {outcome.pdf}")
    print(f"  Cuaderno ejecutado: {outcome.executed}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check the whole archive: manifests, files, ledger, navigation pages, signatures and embedded
    files, and optionally the inputs."""
    from .export import export_notes
    from .integrity import verify
    from .paths import resolve_dir

    reports_dir = resolve_dir(args.reports_dir, "reports")
    data_dir = resolve_dir(args.data_dir, "data") if args.data_dir else None
    ca = None
    if args.ca:
        from .firma import load_certificates

        ca = load_certificates(Path(args.ca))
    report = verify(reports_dir, data_dir, ca=ca)
    notes, missing = export_notes(reports_dir)  # an unzipped «mirbook exportar»: what it leaves out
    for note in notes:
        print(f"Información: {note}")
    for note in report.notes:
        print(f"Aviso: {note}")
    problems = [finding.message() for finding in report.findings] + list(missing)
    if problems:
        print(f"El archivo {reports_dir} tiene {len(problems)} problema(s):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        if report.evidence or missing:
            print("Para apartar lo dañado sin borrar nada y seguir archivando: «mirbook reparar "
                  f"--reports-dir {reports_dir}» (vea docs/recuperacion.md).", file=sys.stderr)
        elif any(f.source for f in report.findings):
            print("Las entradas cambiaron desde la revisión archivada: «mirbook generar» archiva una revisión nueva.",
                  file=sys.stderr)
        else:
            print("Solo difieren páginas de navegación: «mirbook generar» las vuelve a escribir.", file=sys.stderr)
        return 1
    inputs = " y las entradas en " + str(data_dir) if data_dir else ""
    print(f"Archivo íntegro: {report.checked} revisión(es) verificadas en {reports_dir}{inputs}; todo coincide "
          "con los manifiestos y con el registro.")
    return 0


def cmd_repair(args: argparse.Namespace) -> int:
    """Set aside what is damaged (deleting nothing) and record it in the ledger."""
    from .archive import locked
    from .integrity import repair, verify
    from .paths import resolve_dir

    reports_dir = resolve_dir(args.reports_dir, "reports")
    if not reports_dir.is_dir():
        raise MirbookError(f"No existe la carpeta del archivo {reports_dir}.")
    with locked(reports_dir):
        done = repair(reports_dir)
    for line in done:
        print(f"  - {line}")
    if not done:
        print(f"Nada que reparar en {reports_dir}.")
    left = verify(reports_dir).findings
    if left:
        print("Quedan problemas que «mirbook reparar» no puede resolver; revíselos a mano (docs/recuperacion.md):",
              file=sys.stderr)
        for finding in left:
            print(f"  - {finding.message()}", file=sys.stderr)
        return 1
    print(f"Archivo reparado: lo dañado quedó apartado y anotado en {reports_dir / 'registro.jsonl'}; no se borró "
          "nada. Ejecute «mirbook generar» para archivar una revisión nueva de los periodos apartados.")
    return 0


def cmd_captura(args: argparse.Namespace) -> int:
    """Print what each unit delivered for one quarter; ``--out``: also write ``captura.html``."""
    from .captura import capture_status, render_html, to_text
    from .formatting import datetime_es
    from .paths import is_demo_data, resolve_dir
    from .provenance import now
    from .workbook import load_params

    data_dir = resolve_dir(args.data_dir, "data")
    period = _period(args, data_dir)
    status = capture_status(data_dir, period, load_params())
    sys.stdout.write(to_text(status))
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_html(status, datetime_es(now()), is_demo_data(data_dir)), encoding="utf-8")
        print(f"Página de la captura escrita en {out}", file=sys.stderr)
    return 0 if status.ok else 1


def cmd_plantillas(args: argparse.Namespace) -> int:
    """Write the capture workbook of each unit (or of one) for a year."""
    from .model import parse_year
    from .paths import resolve_dir
    from .plantillas import select_units, unplaced_justifications, write_workbooks
    from .plazos import load_plazos
    from .workbook import load_params

    year = parse_year(args.year)
    params = load_params()
    units = select_units(params, args.unidad)
    out_dir = resolve_dir(args.out, f"plantillas/{year}")
    data = None
    if args.desde_datos:
        from .records import load_year

        data = load_year(resolve_dir(args.data_dir, "data"), year)
        for clave in unplaced_justifications(params, data):
            print(f"Advertencia: ninguna unidad puede reportar {clave}; sus justificaciones no van en ningún libro.",
                  file=sys.stderr)
    plazos = load_plazos(params.folder / "captura.yaml").get(year, {})
    written = write_workbooks(params, year, out_dir, units, plazos, data)
    origin = " con los datos del año" if data is not None else ""
    print(f"{len(written)} libro(s) de captura {year}{origin} escritos en {out_dir}: "
          f"{', '.join(p.name for p in written)}")
    return 0


def cmd_shcp(args: argparse.Namespace) -> int:
    """Export a period in the SHCP open-data layout, or import a published file and compare it."""
    from . import shcp

    if args.importar:
        if args.year or args.out:
            raise UsageError("Con --importar no use --year ni --out: el año se toma del archivo (columna CICLO).")
        return shcp.cli_import(args.importar, args.period, args.data_dir)
    if not (args.year and args.period):
        raise UsageError("Indique --year y --period (por ejemplo --year 2026 --period T3), o --importar ARCHIVO.")
    return shcp.cli_export(args.year, args.period, args.out, args.data_dir)


def _command(sub, name: str, alias: str, help: str) -> argparse.ArgumentParser:
    """A sub-command under its Spanish ``name``; the English ``alias`` (for scripts) works too
    but is not listed in ``--help``."""
    parser = sub.add_parser(name, aliases=[alias], help=help)
    sub._choices_actions[-1].metavar = name  # argparse would list it as "name (alias)"
    sub._choices_actions[-1].dest = name
    return parser


def cmd_firmar(args: argparse.Namespace) -> int:
    """Sign every report PDF of the period's newest revision with an e.firma (one new revision)."""
    import os

    from .firma import load_credential
    from .model import Period
    from .paths import resolve_dir
    from .sign_period import sign_period

    period = Period.parse(args.year, args.period)
    if args.password_env:
        if args.password_env not in os.environ:
            raise UsageError(f"La variable de entorno {args.password_env} (indicada en --password-env) no existe.")
        password = os.environ[args.password_env]
    else:
        import getpass

        password = getpass.getpass(f"Contraseña de la llave privada {args.key}: ")
    credential = load_credential(Path(args.cer), Path(args.key), password)
    del password
    outcome = sign_period(resolve_dir(args.reports_dir, "reports"), period, credential, args.rol,
                          log=lambda line: print(line, file=sys.stderr))
    print(f"{outcome.period}: {len(outcome.files)} reporte(s) firmado(s) por {outcome.signer.name} como "
          f"«{outcome.role}»; revisión {outcome.revision} archivada en {outcome.folder} "
          f"(la anterior queda en revisiones/).")
    return 0


def cmd_exportar(args: argparse.Namespace) -> int:
    """Write a ZIP of a year's (or one period's) archived folders for an auditor."""
    from .export import export
    from .model import parse_quarter, parse_year
    from .paths import resolve_dir

    year = parse_year(args.year)
    quarter = parse_quarter(args.period) if args.period else None
    outcome = export(resolve_dir(args.reports_dir, "reports"), year, quarter, Path(args.out))
    periods = ", ".join(str(p) for p in outcome.periods)
    print(f"Exportación escrita en {outcome.out}: {len(outcome.periods)} periodo(s) ({periods}), "
          f"{outcome.files} archivo(s); instrucciones para comprobarla en LEEME.txt.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = _Parser(
        prog="mirbook",
        description="Cuaderno de evaluación trimestral de la MIR de la Unidad de Política Migratoria.",
    )
    from .firma import ROLES

    sub = parser.add_subparsers(dest="command", metavar="comando", parser_class=_Parser)
    sub.required = True

    ind = sub.add_parser("indicadores", help="calcula la tabla de indicadores de un periodo (sin cuadernos)")
    _add_period(ind)
    ind.add_argument("--out", default=None, help="archivo CSV de salida (por omisión: la salida estándar)")
    ind.set_defaults(handler=cmd_indicadores)
    val = _command(sub, "validar", "validate", "solo valida los datos de entrada de un periodo")
    _add_latest_period(val)
    val.set_defaults(handler=cmd_validate)
    cap = sub.add_parser("captura", help="muestra qué entregó cada unidad en un trimestre (archivos, filas, errores)")
    _add_latest_period(cap)
    cap.add_argument("--out", default=None, help="escribe también la página captura.html en este archivo")
    cap.set_defaults(handler=cmd_captura)
    run = _command(sub, "generar", "run", "valida, ejecuta los cuadernos, genera HTML y PDF y archiva el periodo")
    run.add_argument("--year", default=None, help=_LATEST_YEAR)
    run.add_argument("--period", default=None, help="periodo: T1, T2, T3 o T4")
    run.add_argument("--all", action="store_true", help="todos los periodos con datos")
    run.add_argument("--data-dir", default=None, help="carpeta de datos (por omisión: data/ del proyecto)")
    run.add_argument("--reports-dir", default=None, help="carpeta del archivo (por omisión: reports/ del proyecto)")
    run.add_argument("--jobs", type=int, default=None, help="procesos en paralelo (por omisión: los núcleos más uno)")
    run.add_argument("--timeout", type=int, default=600, help="tiempo máximo por celda, en segundos")
    run.add_argument("--motivo", default=None,
                     help="por qué se genera esta revisión (queda en el manifiesto; con --all, para cada periodo "
                          "que tenga una revisión nueva)")
    run.set_defaults(handler=cmd_run)

    bor = sub.add_parser("borrador", help="ejecuta un solo cuaderno y lo muestra en HTML (y PDF) fuera del archivo")
    bor.add_argument("cuaderno", help="nombre del cuaderno, por ejemplo 30_migracion (en notebooks/) o su ruta")
    _add_period(bor)
    bor.add_argument("--pdf", action="store_true", help="también el PDF")
    bor.add_argument("--out", default=None, help="carpeta de borradores (por omisión: borradores/ del proyecto)")
    bor.add_argument("--reports-dir", default=None, help="carpeta del archivo, donde nunca se escribe (por omisión: reports/)")
    bor.add_argument("--timeout", type=int, default=600, help="tiempo máximo por celda, en segundos")
    bor.set_defaults(handler=cmd_borrador)

    pla = sub.add_parser("plantillas", help="escribe el libro de captura (.xlsx) de cada unidad para un año")
    pla.add_argument("--year", required=True, help="año, por ejemplo 2026")
    pla.add_argument("--unidad", default=None, help="clave de una unidad (por omisión: todas las de organizacion.yaml)")
    pla.add_argument("--out", default=None, help="carpeta de salida (por omisión: plantillas/<año>/ del proyecto)")
    pla.add_argument("--desde-datos", action="store_true", help="llena cada libro con lo que ya tienen los datos del año")
    pla.add_argument("--data-dir", default=None, help="carpeta de datos (por omisión: data/ del proyecto)")
    pla.set_defaults(handler=cmd_plantillas)

    shcp = sub.add_parser("shcp", help="exporta el periodo en el formato de avance de indicadores de la SHCP, o importa lo publicado")
    shcp.add_argument("--year", default=None, help="año, por ejemplo 2026")
    shcp.add_argument("--period", default=None, help="periodo: T1, T2, T3 o T4 (con --importar: si el archivo no trae avances)")
    shcp.add_argument("--out", default=None, help="archivo de salida .csv (Latin-1) o .xlsx (por omisión: CSV a la salida estándar)")
    shcp.add_argument("--importar", default=None, metavar="ARCHIVO", help="archivo publicado por la SHCP (.csv o .xlsx) que se copia a la carpeta del año y se compara")
    shcp.add_argument("--data-dir", default=None, help="carpeta de datos (por omisión: data/ del proyecto)")
    shcp.set_defaults(handler=cmd_shcp)

    ver = _command(sub, "verificar", "verify", "comprueba el archivo de reportes contra sus manifiestos")
    ver.add_argument("--reports-dir", default=None, help="carpeta del archivo (por omisión: reports/)")
    ver.add_argument("--ca", default=None, metavar="ARCHIVO",
                     help="certificados de la autoridad certificadora (DER o PEM) en los que se confía para las firmas")
    ver.add_argument("--data-dir", default=None,
                     help="carpeta de datos: comprueba también que las entradas de la revisión vigente no cambiaron")
    ver.set_defaults(handler=cmd_verify)
    rep = _command(sub, "reparar", "repair", "aparta y anota lo dañado del archivo, sin borrar nada")
    rep.add_argument("--reports-dir", default=None, help="carpeta del archivo (por omisión: reports/)")
    rep.set_defaults(handler=cmd_repair)

    exp = sub.add_parser("exportar", help="escribe un ZIP de los periodos de un año para una auditoría")
    exp.add_argument("--year", required=True, help="año, por ejemplo 2026")
    exp.add_argument("--period", default=None, help="solo un periodo: T1, T2, T3 o T4 (por omisión: todo el año)")
    exp.add_argument("--out", required=True, metavar="ARCHIVO.zip", help="archivo ZIP de salida")
    exp.add_argument("--reports-dir", default=None, help="carpeta del archivo (por omisión: reports/)")
    exp.set_defaults(handler=cmd_exportar)

    fir = sub.add_parser("firmar", help="firma con e.firma los reportes PDF de un periodo (nueva revisión)")
    _add_period(fir, data=False)
    fir.add_argument("--cer", required=True, help="certificado de la e.firma (.cer, DER o PEM)")
    fir.add_argument("--key", required=True, help="llave privada cifrada de la e.firma (.key)")
    fir.add_argument("--rol", choices=ROLES, default=None,
                     help="rol de quien firma (por omisión: el siguiente de Elaboró, Revisó, Autorizó)")
    fir.add_argument("--password-env", default=None,
                     help="variable de entorno con la contraseña de la llave (por omisión se pide en la terminal)")
    fir.add_argument("--reports-dir", default=None, help="carpeta del archivo (por omisión: reports/)")
    fir.set_defaults(handler=cmd_firmar)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mirbook`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except MirbookError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrumpido por el usuario.", file=sys.stderr)
        return 130
    except OSError as exc:  # the system refused something no step phrased: still one Spanish line
        from .errors import os_error_message

        print(f"Error: {os_error_message(exc, exc.filename or Path.cwd())}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
