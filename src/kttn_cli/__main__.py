from kttn_cli.cli.entry import main

main()
