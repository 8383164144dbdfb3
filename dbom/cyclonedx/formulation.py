"""Processing steps and code in CycloneDX, both ways: code components and the `formulation` workflow.

Each distinct piece of code (a step's code, a step's config file, the training code) is one
top-level component: type `application` for code, `file` for a configuration file, `version`
= the commit, `hashes` = the SHA-256 of its content, a `vcs` reference and `dbom:vcs:*`
properties. The steps are one formula holding one workflow; each step is a task whose inputs
and outputs point at the dataset components by bom-ref, whose `resourceReferences` point at
its code, and whose `taskDependencies` follow the datasets from one step's outputs to the
next step's inputs. cyclonedx-python-lib has no model for `formulation`, so this is plain JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dbom.cyclonedx import properties as P
from dbom.cyclonedx import provenance as prov
from dbom.cyclonedx.refs import dataset_ref
from dbom.model import CodeRef, Dbom, ProcessingStep

FORMULA_REF = "formula:data-processing"
WORKFLOW_UID = "data-processing"
WORKFLOW_REF = f"workflow:{WORKFLOW_UID}"
# A step's kind -> CycloneDX task type (a closed list); every other kind is a `build`: it makes
# data into an artifact. The kind itself is kept in the `dbom:step:kind` property.
TASK_TYPES = {"merge": "merge", "mix": "merge", "concat": "merge", "copy": "copy", "download": "copy",
              "mirror": "copy", "clone": "clone"}
_COUNTS = (("documents_in", P.STEP_DOCUMENTS_IN), ("documents_out", P.STEP_DOCUMENTS_OUT),
           ("bytes_in", P.STEP_BYTES_IN), ("bytes_out", P.STEP_BYTES_OUT))


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": name, "value": str(value)}


def task_ref(step_name: str) -> str:
    """The bom-ref of a step's task."""
    return f"task:{step_name}"


@dataclass
class CodeComponents:
    """The code components of a DBOM and the bom-ref given to each code reference."""

    components: list[dict[str, Any]] = field(default_factory=list)
    refs: dict[CodeRef, str] = field(default_factory=dict)

    def add(self, code: CodeRef | None, kind: str) -> None:
        """Give `code` a component (once); kind "code" or "config"."""
        if code is None or code in self.refs:
            return
        short = f"@{code.vcs.commit[:12]}" if code.vcs else ""
        ref = base = f"{kind}:{code.path}{short}"
        taken = set(self.refs.values())
        n = 2
        while ref in taken:
            ref, n = f"{base}#{n}", n + 1
        self.refs[code] = ref
        self.components.append(code_component(code, ref, "file" if kind == "config" else "application"))


def code_components(dbom: Dbom) -> CodeComponents:
    """Every distinct code reference of the DBOM's steps and training code, with its component."""
    found = CodeComponents()
    for step in dbom.steps:
        found.add(step.code_ref, "code")
        found.add(step.config, "config")
    found.add(dbom.training_code, "code")
    return found


def code_component(code: CodeRef, bom_ref: str, component_type: str = "application") -> dict[str, Any]:
    """A code (or config file) component pinned by commit and content digest."""
    comp: dict[str, Any] = {"bom-ref": bom_ref, "type": component_type, "name": code.path}
    if code.vcs:
        comp["version"] = code.vcs.commit
    if code.sha256:
        comp["hashes"] = [{"alg": "SHA-256", "content": code.sha256}]
    refs = prov.vcs_references(code.vcs)
    if refs:
        comp["externalReferences"] = refs
    props = prov.vcs_properties(code.vcs)
    if props:
        comp["properties"] = props
    return comp


def read_code(component: Mapping[str, Any]) -> CodeRef:
    """The CodeRef a `code_component` was written from."""
    sha256 = next((h["content"] for h in component.get("hashes") or [] if h.get("alg") == "SHA-256"), None)
    props = {p["name"]: p.get("value", "") for p in component.get("properties") or []}
    return CodeRef(path=component["name"], sha256=sha256, vcs=prov.read_vcs(props))


def formulation(dbom: Dbom, code_refs: Mapping[CodeRef, str]) -> list[dict[str, Any]] | None:
    """The `formulation` array: one formula, one workflow, one task per step; None without steps."""
    if not dbom.steps:
        return None
    produced = {o for s in dbom.steps for o in s.outputs}
    consumed = {i for s in dbom.steps for i in s.inputs}
    workflow: dict[str, Any] = {"bom-ref": WORKFLOW_REF, "uid": WORKFLOW_UID, "name": "data processing",
                                "taskTypes": ["build"]}
    code = _unique(code_refs[s.code_ref] for s in dbom.steps if s.code_ref)
    if code:
        workflow["resourceReferences"] = [{"ref": ref} for ref in code]
    sources = _unique(i for s in dbom.steps for i in s.inputs if i not in produced)
    if sources:
        workflow["inputs"] = [{"resource": {"ref": dataset_ref(name)}} for name in sources]
    finals = _unique(o for s in dbom.steps for o in s.outputs if o not in consumed)
    if finals:
        workflow["outputs"] = [{"type": "artifact", "resource": {"ref": dataset_ref(name)}} for name in finals]
    workflow["tasks"] = [_task(step, code_refs) for step in dbom.steps]
    dependencies = _task_dependencies(dbom.steps)
    if dependencies:
        workflow["taskDependencies"] = dependencies
    return [{"bom-ref": FORMULA_REF, "workflows": [workflow]}]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _task(step: ProcessingStep, code_refs: Mapping[CodeRef, str]) -> dict[str, Any]:
    task: dict[str, Any] = {"bom-ref": task_ref(step.name), "uid": step.name, "name": step.name,
                            "taskTypes": [TASK_TYPES.get((step.kind or "").lower(), "build")]}
    if step.code_ref:
        task["resourceReferences"] = [{"ref": code_refs[step.code_ref]}]
    inputs: list[dict[str, Any]] = [{"resource": {"ref": dataset_ref(name)}} for name in step.inputs]
    if step.config:
        inputs.append({"resource": {"ref": code_refs[step.config]}})
    if step.args:
        inputs.append({"parameters": [{"name": name, "value": value} for name, value in step.args]})
    if inputs:
        task["inputs"] = inputs
    if step.outputs:
        task["outputs"] = [{"type": "artifact", "resource": {"ref": dataset_ref(name)}} for name in step.outputs]
    if step.command:
        task["steps"] = [{"name": step.name, "commands": [{"executed": step.command}]}]
    props = []
    if step.kind:
        props.append(_prop(P.STEP_KIND, step.kind))
    if step.entrypoint:
        props.append(_prop(P.STEP_ENTRYPOINT, step.entrypoint))
    if step.code and not step.code_ref:
        props.append(_prop(P.STEP_CODE, step.code))
    if step.license:
        props.append(_prop(P.STEP_LICENSE, step.license))
    for attr, name in _COUNTS:
        value = getattr(step, attr)
        if value is not None:
            props.append(_prop(name, value))
    if props:
        task["properties"] = props
    return task


def _task_dependencies(steps: Iterable[ProcessingStep]) -> list[dict[str, Any]]:
    steps = list(steps)
    writers: dict[str, list[str]] = {}
    for step in steps:
        for output in step.outputs:
            writers.setdefault(output, []).append(step.name)
    out = []
    for step in steps:
        before = _unique(w for i in step.inputs for w in writers.get(i, ()) if w != step.name)
        if before:
            out.append({"ref": task_ref(step.name), "dependsOn": [task_ref(w) for w in before]})
    return out


def read_steps(doc: Mapping[str, Any], components: Mapping[str, Mapping[str, Any]]) -> tuple[ProcessingStep, ...]:
    """The steps that `formulation` wrote; `components` maps every top-level bom-ref to its component."""
    from dbom.provenance.pipeline import code_text

    steps = []
    for formula in doc.get("formulation") or []:
        if formula.get("bom-ref") != FORMULA_REF:
            continue
        for workflow in formula.get("workflows") or []:
            for task in workflow.get("tasks") or []:
                steps.append(_read_task(task, components, code_text))
    return tuple(steps)


def _read_task(task: Mapping[str, Any], components: Mapping[str, Mapping[str, Any]], code_text: Any) -> ProcessingStep:
    props = {p["name"]: p.get("value", "") for p in task.get("properties") or []}
    code_refs = [r["ref"] for r in task.get("resourceReferences") or [] if r.get("ref") in components]
    code = read_code(components[code_refs[0]]) if code_refs else None
    inputs, args, config = [], [], None
    for item in task.get("inputs") or []:
        ref = (item.get("resource") or {}).get("ref")
        if ref is not None and components.get(ref, {}).get("type") == "data":
            inputs.append(components[ref]["name"])
        elif ref is not None and ref in components:
            config = read_code(components[ref])
        for param in item.get("parameters") or []:
            args.append((param["name"], param.get("value", "")))
    outputs = [components[o["resource"]["ref"]]["name"] for o in task.get("outputs") or []
               if (o.get("resource") or {}).get("ref") in components]
    commands = [c["executed"] for s in task.get("steps") or [] for c in s.get("commands") or [] if "executed" in c]
    counts = {attr: int(props[name]) for attr, name in _COUNTS if name in props}
    return ProcessingStep(
        name=task["name"],
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        command=commands[0] if commands else None,
        code=props.get(P.STEP_CODE) or (code_text(code) if code else None),
        kind=props.get(P.STEP_KIND),
        code_ref=code,
        entrypoint=props.get(P.STEP_ENTRYPOINT),
        args=tuple(args),
        config=config,
        license=props.get(P.STEP_LICENSE),
        **counts,
    )


def ancestor_stubs(names: Iterable[str], datasets: Mapping[str, Any]) -> list[dict[str, Any]]:
    """`pedigree.ancestors` entries for the source datasets: type, name, version and digest, no bom-ref.

    A bom-ref here would repeat the source dataset's own and break bom-ref uniqueness; the link by
    bom-ref is in `dependencies` and `formulation`.
    """
    stubs = []
    for name in names:
        stub: dict[str, Any] = {"type": "data", "name": name}
        source = datasets.get(name)
        if source is not None and source.version:
            stub["version"] = source.version
        if source is not None and source.digest:
            stub["hashes"] = [{"alg": "SHA-256", "content": source.digest}]
        stubs.append(stub)
    return stubs


def training_properties(dbom: Dbom) -> list[dict[str, str]]:
    """Metadata properties of the training run: the training code's bom-ref and the environment's packages."""
    props = []
    if dbom.training_code is not None:
        props.append(_prop(P.TRAINING_CODE, code_components(dbom).refs[dbom.training_code]))
    props += [_prop(P.ENV_PREFIX + name, version) for name, version in dbom.environment]
    return props


def read_training(meta_props: Iterable[Mapping[str, str]],
                  components: Mapping[str, Mapping[str, Any]]) -> tuple[CodeRef | None, tuple[tuple[str, str], ...]]:
    """The training code and environment that `training_properties` wrote."""
    code, environment = None, []
    for prop in meta_props:
        name, value = prop.get("name", ""), prop.get("value", "")
        if name == P.TRAINING_CODE and value in components:
            code = read_code(components[value])
        elif name.startswith(P.ENV_PREFIX):
            environment.append((name[len(P.ENV_PREFIX):], value))
    return code, tuple(environment)


def read_processing(doc: Mapping[str, Any]) -> tuple[tuple[ProcessingStep, ...], CodeRef | None,
                                                      tuple[tuple[str, str], ...]]:
    """The steps, training code and environment of a DBOM document."""
    components = {c["bom-ref"]: c for c in doc.get("components") or []
                  if isinstance(c, dict) and isinstance(c.get("bom-ref"), str)}
    code, environment = read_training((doc.get("metadata") or {}).get("properties") or [], components)
    return read_steps(doc, components), code, environment
