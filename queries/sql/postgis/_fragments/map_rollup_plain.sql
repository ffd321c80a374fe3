CAST(:categories AS VARCHAR[]) IS NULL AND CAST(:sources AS VARCHAR[]) IS NULL
           AND CAST(:departments AS VARCHAR[]) IS NULL
