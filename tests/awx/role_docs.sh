#!/usr/bin/env bash
# Role reference pages generated from each role's meta/argument_specs.yml with aar-doc, into
# docs/roles/<role>.md (the role READMEs stay hand-written).
#   role_docs.sh           regenerate docs/roles/
#   role_docs.sh --check   fail when docs/roles/ differs from what the specs generate
source "$(dirname "$0")/../testbed/lib.sh"
out="$TOP/docs/roles"
check=false
[ "${1:-}" = --check ] && check=true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
  echo "# Role reference"
  echo
  echo "Generated from each role's \`meta/argument_specs.yml\` by \`make role-docs\` (aar-doc); \`make test\`"
  echo "fails when a page is out of date. Each role's README says how the role behaves."
  echo
  echo "| role | what |"
  echo "| --- | --- |"
} >"$tmp/README.md"
for role_dir in "$TOP"/roles/*/; do
  role_dir=${role_dir%/}
  role=${role_dir##*/}
  spec="$role_dir/meta/argument_specs.yml"
  # Every role documents its variables in a typed spec (it is also the input check).
  [ -f "$spec" ] || { echo "role_docs: roles/$role has no meta/argument_specs.yml" >&2; exit 1; }
  "$VENV/bin/aar-doc" --output-file "$tmp/$role.md" --output-mode replace \
    --output-template "$TOP/tests/awx/role_doc.md.j2" "$role_dir" markdown >/dev/null
  what=$(sed -n 's/^    short_description: //p' "$spec" | head -n1)
  echo "| [\`secure_endpoint.linux.$role\`]($role.md) | $what |" >>"$tmp/README.md"
done
if $check; then
  if ! diff -ru "$out" "$tmp" >"$tmp.diff" 2>&1; then
    cat "$tmp.diff" >&2
    rm -f "$tmp.diff"
    echo "docs/roles is out of date: run 'make role-docs' and commit the result" >&2
    exit 1
  fi
  rm -f "$tmp.diff"
  say "docs/roles: up to date ($(ls "$tmp" | wc -l) pages)"
else
  rm -rf "$out"
  mkdir -p "$out"
  cp "$tmp"/*.md "$out/"
  say "docs/roles: written ($(ls "$out" | wc -l) pages)"
fi
