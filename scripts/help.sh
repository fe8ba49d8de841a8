# Sourced by the scripts before anything else, so that none of them installs,
# builds or runs anything when all a person asked for was its usage.
#   script_help "$@"   -h or --help: print the script's opening comment (what
#                      it does and how to call it) and exit 0
#   no_arguments "$@"  the same, and any argument at all is an error (exit 2)

script_help() {
  case "${1:-}" in
    -h | --help)
      awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"
      exit 0
      ;;
  esac
}

no_arguments() {
  script_help "$@"
  if [ $# -gt 0 ]; then
    echo "$(basename "$0"): takes no arguments, got '$1' (see $0 --help)" >&2
    exit 2
  fi
}
