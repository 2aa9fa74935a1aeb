 ; -- only a comment
;