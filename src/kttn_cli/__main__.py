from kttn_cli.cli.app import main

main()
