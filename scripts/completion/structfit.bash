# bash completion for structfit: commands, each command's options (read
# from its --help, so they never go stale), the values of --format (read
# from the command's own message for a bad one), and struct names after -C,
# -i and -f, read with `structfit report -s` from the first ELF file given
# earlier on the line.  Installed by cmake --install into
# share/bash-completion/completions/structfit.

# Options of one command (or the global ones), one per line.
_structfit_options()
{
	"${1:-structfit}" ${2:+"$2"} --help 2>/dev/null |
		sed -n 's/^ *\(-[A-Za-z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p'
}

# Values of a command's --format, one per line: "expected text, json or
# markdown" from the message for a value no command takes.
_structfit_formats()
{
	"$1" "$2" --format=/ 2>&1 >/dev/null |
		sed -n 's/.* for --format: expected \(.*\) (see .*/\1/p' | sed 's/, / /g; s/ or / /' | tr ' ' '\n'
}

_structfit()
{
	local cur prev bin=${COMP_WORDS[0]} command="" file="" i word
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="report reorder fix snapshot check diff assert help"

	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		if [[ -z $command && $word != -* ]]; then
			command=$word
		elif [[ -z $file && $word != -* && -f $word ]]; then
			file=$word
		fi
	done
	# bash splits "--format=mar" at the '=': the value is a word of its own.
	if [[ -n $command && ($prev == --format || ($prev == = && ${COMP_WORDS[COMP_CWORD - 2]} == --format) ||
		($cur == = && $prev == --format)) ]]; then
		[[ $cur == = ]] && cur=""
		COMPREPLY=($(compgen -W "$(_structfit_formats "$bin" "$command")" -- "$cur"))
		return
	fi
	case $prev in
	-C | --struct | -x | --exclude | -i | --contains | -f | --find-pointers-to)
		if [[ -n $file ]]; then
			COMPREPLY=($(compgen -W "$("$bin" report -s "$file" 2>/dev/null | cut -f1)" -- "$cur"))
		fi
		return
		;;
	-o | --output | --baseline | --constraints | --profile | --debug-dir | --source-root)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac
	if [[ -z $command ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_structfit_options "$bin")" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur") $(compgen -f -- "$cur"))
		fi
		return
	fi
	if [[ $command == help ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
	elif [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_structfit_options "$bin" "$command")" -- "$cur"))
	else
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
}
complete -o filenames -F _structfit structfit
