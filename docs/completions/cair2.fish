function __cair2_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cair2_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __cair2_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __cair2_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __cair2_parse_tokens -S
    set -l unparsed_tokens (__cair2_tokens -pc)
    switch $unparsed_tokens[1]
    case 'cair2'
        __cair2_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'convert'
            __cair2_parse_subcommand 0 'patients=' 'immunizations=' 'comments=' 'query=' 'out-dir=' 'org=' 'map=' 'as-of=' 'threads=' 'zstd=' 'delimiter=' 'encoding=' 'pad-to-stated-total' 'max-reject-rate=' 'max-records-per-file=' 'quarantine' 'no-mmap' 'buffered-output' 'progress=' 'q/quiet' 'json' 'show-problems=' 'file-mode=' 'code-tables=' 'version' 'h/help'
        case 'layouts'
            __cair2_parse_subcommand 1 'version' 'h/help'
        case 'decode'
            __cair2_parse_subcommand 1 'kind=' 'format=' 'o/output=' 'file-mode=' 'version' 'h/help'
        case 'validate'
            __cair2_parse_subcommand 1 'kind=' 'as-of=' 'code-tables=' 'version' 'h/help'
        case 'archive'
            __cair2_parse_subcommand 1 'o/output=' 'level=' 'mtime=' 'force' 'file-mode=' 'version' 'h/help'
        case 'verify'
            __cair2_parse_subcommand 1 'version' 'h/help'
        case 'generate'
            __cair2_parse_subcommand 0 'members=' 'out-dir=' 'seed=' 'defect-rate=' 'as-of=' 'org=' 'threads=' 'returns' 'file-mode=' 'version' 'h/help'
        case 'codes'
            __cair2_parse_subcommand 2 'format=' 'code-tables=' 'version' 'h/help'
        case 'hedis'
            __cair2_parse_subcommand 0 'measure=' 'year=' 'members=' 'patient-return=' 'immunization-return=' 'immunizations=' 'comments=' 'value-sets=' 'comment-codes=' 'mening-from=' 'out-dir=' 'delimiter=' 'encoding=' 'map=' 'q/quiet' 'json' 'version' 'h/help'
        case 'help'
            __cair2_parse_subcommand -r 1 'version'
        end
    end
end

function __cair2_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __cair2_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __cair2_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __cair2_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__cair2_tokens -p)
    if test -z "$(__cair2_tokens -t)"
        set -l index (count (__cair2_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'cair2' -f
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2" version' -l 'version' -d 'Show the version.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2" -eq 1' -fa 'convert' -d 'Convert member extracts (CSV) into CAIR2 fixed-width files.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2" -eq 1' -fa 'layouts' -d 'Print a layout table (field, start, length, requirement, code set) from the layout data.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2" -eq 1' -fa 'decode' -d 'Read a fixed-width file (ours or the registry\'s return files) into CSV or JSON Lines.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2" -eq 1' -fa 'validate' -d 'Check a fixed-width file line by line against its layout and the value rules.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2" -eq 1' -fa 'archive' -d 'Archive a batch directory as BATCH.tar.zst with a MANIFEST.json of sizes, SHA-256 and record counts.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2" -eq 1' -fa 'verify' -d 'Check every file of a BATCH.tar.zst against its MANIFEST.json, without extracting.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2" -eq 1' -fa 'generate' -d 'Write a synthetic California plan extract (members, immunizations, comments, query) and an answer key of the defects planted in it.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2" -eq 1' -fa 'codes' -d 'Look up vaccine codes (CVX, CPT, MVX, products) and list the spec\'s code sets.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2" -eq 1' -fa 'hedis' -d 'Each member\'s immunization status and the plan\'s HEDIS CIS or IMA rates from the registry\'s return files.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" patients' -l 'patients' -d 'Patient extract (CSV; \'-\' for standard input; .zst accepted).' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" immunizations' -l 'immunizations' -d 'Immunization extract (needs --patients).' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" comments' -l 'comments' -d 'Comment extract (needs --patients).' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" query' -l 'query' -d 'Query extract (HEDIS patient match), alone.' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" out-dir' -l 'out-dir' -d 'Directory for the outputs (created if missing).' -rfa '(__cair2_complete_directories)'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" org' -l 'org' -d 'Default for sending_org, disclosed_by and updated_by (your HP CAIR2 org code).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" map' -l 'map' -d 'Mapping file (JSON): {"columns": {THEIRS: canonical}, "defaults": {canonical: value}}.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" as-of' -l 'as-of' -d 'Dates after this day are invalid (YYYY-MM-DD; default: today).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" threads' -l 'threads' -d 'Worker threads (default: all cores).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" zstd' -l 'zstd' -d 'Write .txt.zst outputs; --zstd alone is level 1, --zstd=19 compresses harder (1-22).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" delimiter' -l 'delimiter' -d 'Field delimiter: one byte, e.g. \',\' \'|\' or \'\\t\'.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" encoding' -l 'encoding' -d 'Input encoding: utf8, cp1252 (Windows) or latin1.' -rfka 'utf8 cp1252 latin1'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" pad-to-stated-total' -l 'pad-to-stated-total' -d 'Pad lines to the spec\'s printed totals (877, 192).'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" max-reject-rate' -l 'max-reject-rate' -d 'Exit 4 when rejected records / input records exceeds this (0-1).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" max-records-per-file' -l 'max-records-per-file' -d 'Split patient and query outputs into parts of at most N records.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" quarantine' -l 'quarantine' -d 'Also write quarantine/<input>: the header and the raw rejected records (holds PHI).'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" no-mmap' -l 'no-mmap' -d 'Read inputs with read(2) instead of mapping them.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" buffered-output' -l 'buffered-output' -d 'Write outputs through the page cache instead of with direct I/O (O_DIRECT, used where the file system has it).'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" progress' -l 'progress' -d 'Progress line on stderr: auto (when stderr is a terminal), always, never.' -rfka 'auto always never'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" q quiet' -l 'quiet' -s 'q' -d 'Quiet: no progress, summary or hints on stderr; errors only.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" json' -l 'json' -d 'Print summary.json to standard output (instead of the summary on stderr).'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" show-problems' -l 'show-problems' -d 'After the summary, list the first N problems as file:line: field: message (CODE); 0 for none.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" file-mode' -l 'file-mode' -d 'Permissions of the files written, in octal: 0600, 0640, 0644, 0660, 0664 (default 0600); for an uploader that runs as another user.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" code-tables' -l 'code-tables' -d 'Folder with newer CDC tables (cvx.csv, mvx.csv, cpt_to_cvx.csv, tradename_cvx_mvx.csv, cvx_to_vaccine_group.csv); default: the bundled snapshot.' -rfa '(__cair2_complete_directories)'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" version' -l 'version' -d 'Show the version.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 convert" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2 layouts" -eq 1' -fka 'patient immunization comment query patient-return immunization-return'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 layouts" version' -l 'version' -d 'Show the version.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 layouts" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2 decode" -eq 1' -F
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 decode" kind' -l 'kind' -d 'The layout: patient, immunization, comment, query, patient-return, immunization-return.' -rfka 'patient immunization comment query patient-return immunization-return'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 decode" format' -l 'format' -d 'csv or jsonl.' -rfka 'csv jsonl'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 decode" o output' -l 'output' -s 'o' -d 'Output file (created 0600 or --file-mode, published atomically); standard output when omitted.' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 decode" file-mode' -l 'file-mode' -d 'Permissions of the files written, in octal: 0600, 0640, 0644, 0660, 0664 (default 0600); for an uploader that runs as another user.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 decode" version' -l 'version' -d 'Show the version.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 decode" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2 validate" -eq 1' -F
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 validate" kind' -l 'kind' -d 'The layout: patient, immunization, comment, query, patient-return, immunization-return.' -rfka 'patient immunization comment query patient-return immunization-return'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 validate" as-of' -l 'as-of' -d 'YYYY-MM-DD; dates after it are flagged where the field forbids it (default: today).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 validate" code-tables' -l 'code-tables' -d 'Folder with newer CDC tables (cvx.csv, mvx.csv, cpt_to_cvx.csv, tradename_cvx_mvx.csv, cvx_to_vaccine_group.csv); default: the bundled snapshot.' -rfa '(__cair2_complete_directories)'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 validate" version' -l 'version' -d 'Show the version.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 validate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2 archive" -eq 1' -fa '(__cair2_complete_directories)'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 archive" o output' -l 'output' -s 'o' -d 'The archive to write, e.g. BATCH.tar.zst.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'zst\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 archive" level' -l 'level' -d 'zstd compression level (default 1).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 archive" mtime' -l 'mtime' -d 'Time stamped on every member and in the manifest: ISO 8601 (2025-01-31T12:00:00Z) or seconds since 1970. Default: now.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 archive" force' -l 'force' -d 'Archive a folder that holds files its summary.json does not list, write the archive inside the folder, or replace an existing archive.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 archive" file-mode' -l 'file-mode' -d 'Permissions of the files written, in octal: 0600, 0640, 0644, 0660, 0664 (default 0600); for an uploader that runs as another user.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 archive" version' -l 'version' -d 'Show the version.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 archive" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2 verify" -eq 1' -fa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'zst\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 verify" version' -l 'version' -d 'Show the version.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" members' -l 'members' -d 'Number of members.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" out-dir' -l 'out-dir' -d 'Directory for the CSV files and the answer key.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" seed' -l 'seed' -d 'Seed: the same seed and options give byte-identical files.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" defect-rate' -l 'defect-rate' -d 'Share of records carrying exactly one planted defect (0 to 1).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" as-of' -l 'as-of' -d 'The date (YYYY-MM-DD) convert will run --as-of; default today (UTC).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" org' -l 'org' -d 'Organization code written as sending_org, disclosed_by and updated_by (pass the same --org to convert).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" threads' -l 'threads' -d 'Worker threads (default: all cores; the output does not depend on it).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" returns' -l 'returns' -d 'Also write the registry\'s answer to query.csv: patient-return.txt and immunization-return.txt (fixed-width), for `cair2 hedis --members query.csv`. The other files do not change.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" file-mode' -l 'file-mode' -d 'Permissions of the files written, in octal: 0600, 0640, 0644, 0660, 0664 (default 0600); for an uploader that runs as another user.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" version' -l 'version' -d 'Show the version.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 generate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_positional "cair2 codes" -eq 1' -fka 'cvx cpt mvx search group product patient-status sex ethnicity mother-hbsag contact relationship state county route body-site reaction info-source eligibility comment patient-type'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 codes" format' -l 'format' -d 'Output: table (default), csv or json.' -rfka 'table csv json'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 codes" code-tables' -l 'code-tables' -d 'Folder with newer CDC tables (cvx.csv, mvx.csv, cpt_to_cvx.csv, tradename_cvx_mvx.csv, cvx_to_vaccine_group.csv); default: the bundled snapshot.' -rfa '(__cair2_complete_directories)'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 codes" version' -l 'version' -d 'Show the version.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 codes" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" measure' -l 'measure' -d 'cis (children turning 2 in the year) or ima (adolescents turning 13).' -rfka 'cis ima'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" year' -l 'year' -d 'The measurement year (YYYY).' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" members' -l 'members' -d 'Eligible members (CSV: hp_member_id, birth_date; first_name, last_name optional).' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" patient-return' -l 'patient-return' -d 'The registry\'s patient-return file (fixed width).' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" immunization-return' -l 'immunization-return' -d 'The registry\'s immunization-return file (fixed width).' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" immunizations' -l 'immunizations' -d 'The plan\'s own doses (CSV: record_id, cpt_code, cvx_code, vaccination_date).' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" comments' -l 'comments' -d 'The plan\'s comment extract (CSV: record_id, comment_code, begin_date).' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" value-sets' -l 'value-sets' -d 'Value sets replacing the bundled ones (measure,antigen,system,code).' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" comment-codes' -l 'comment-codes' -d 'Comment codes replacing the bundled ones (measure,antigen,comment_code,evidence).' -rF
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" mening-from' -l 'mening-from' -d 'IMA: meningococcal doses count from the 11th (default) or the 10th birthday.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" out-dir' -l 'out-dir' -d 'Directory for the outputs (created if missing).' -rfa '(__cair2_complete_directories)'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" delimiter' -l 'delimiter' -d 'Field delimiter of the CSV inputs: one byte, e.g. \',\' \'|\' or \'\\t\'.' -rfka ''
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" encoding' -l 'encoding' -d 'Encoding of the CSV inputs: utf8, cp1252 (Windows) or latin1.' -rfka 'utf8 cp1252 latin1'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" map' -l 'map' -d 'Mapping file (JSON) for the CSV inputs\' column names and defaults.' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" q quiet' -l 'quiet' -s 'q' -d 'Quiet: no summary on stderr; errors only.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" json' -l 'json' -d 'Print hedis-summary.json to standard output.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" version' -l 'version' -d 'Show the version.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 hedis" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'cair2' -n '__cair2_should_offer_completions_for_flags_or_options "cair2 help" version' -l 'version' -d 'Show the version.'
