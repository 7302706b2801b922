from petition import create_app

app = create_app()
