"""The clerk's views: status, board, overdue, upcoming."""
