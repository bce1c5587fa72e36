import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * A package directory laid out like `pip install --target`: `tinyfmt` (a distribution with a
 * dist-info, requiring `tiny-dep` and, for an extra, `pytest`), `tiny_dep` (a single module), `loose`
 * (a package without metadata), `native` (a compiled extension) and a symlink pointing out of it.
 */
export function createPythonPackageDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "agentrt-py-packages-"));
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  write("tinyfmt/__init__.py", "from tinyfmt._impl import shout\n");
  write("tinyfmt/_impl.py", "import tiny_dep\ndef shout(s):\n    return tiny_dep.suffix(s.upper())\n");
  write("tinyfmt/__pycache__/_impl.cpython-312.pyc", "bytecode");
  write("tinyfmt/data.txt", "tinyfmt data\n");
  symlinkSync("/etc/hostname", join(dir, "tinyfmt", "leak.py"));
  write(
    "tinyfmt-1.0.dist-info/RECORD",
    [
      "tinyfmt/__init__.py,sha256=x,30",
      "tinyfmt/_impl.py,sha256=x,60",
      "tinyfmt/data.txt,,",
      "tinyfmt/leak.py,,",
      "tinyfmt/__pycache__/_impl.cpython-312.pyc,,",
      "tinyfmt-1.0.dist-info/RECORD,,",
      "../../bin/tinyfmt,sha256=x,10",
      "",
    ].join("\n"),
  );
  write(
    "tinyfmt-1.0.dist-info/METADATA",
    'Name: tinyfmt\nVersion: 1.0\nRequires-Dist: tiny-dep (>=2)\nRequires-Dist: pytest ; extra == "test"\nRequires-Dist: absent-backport ; python_version < "3.8"\n',
  );
  write("tinyfmt-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n");
  write("tiny_dep.py", "def suffix(s):\n    return s + '!'\n");
  write("tiny_dep-2.0.dist-info/RECORD", "tiny_dep.py,,\n");
  write("tiny_dep-2.0.dist-info/METADATA", "Name: tiny-dep\nVersion: 2.0\n");
  write("loose/__init__.py", "VALUE = 42\n");
  write("native/_speed.cpython-312-x86_64-linux-gnu.so", "ELF");
  write("native/__init__.py", "");
  write(
    "native-1.0.dist-info/RECORD",
    "native/__init__.py,,\nnative/_speed.cpython-312-x86_64-linux-gnu.so,,\n",
  );
  write("native-1.0.dist-info/WHEEL", "Root-Is-Purelib: false\n");
  return dir;
}
